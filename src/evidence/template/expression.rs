//! ARM template expressions (`[concat('aks-', parameters('name'))]`): a
//! parser, a printer and a partial evaluator.
//!
//! Evaluation replaces only what the template and its parameter file state
//! for certain: `parameters('x')` with a value the parameter file gives,
//! `variables('y')` when the variable's own value resolves to a literal,
//! `concat` of resolved parts, and the boolean functions a resource
//! `condition` is written with (`equals`, `not`, `and`, `or`, `bool`, `if`,
//! `true`, `false`). Every other function keeps its call, with the parts of
//! its arguments that did resolve written in as literals, so that an
//! unresolved reference still reads as the deployment would build it.

use serde_json::Value;

/// A parsed expression, or a partly evaluated one.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A known value: a literal, or what a function call resolved to.
    Value(Value),
    /// A function call, e.g. `resourceId(...)`.
    Call {
        /// The function name as written.
        name: String,
        /// Its arguments.
        args: Vec<Expr>,
    },
    /// Property access: `reference(x).addressPrefix`.
    Member(Box<Expr>, String),
    /// Index access: `split(x, '/')[0]`.
    Index(Box<Expr>, Box<Expr>),
}

/// The body of an expression string (`[...]` without its brackets), or
/// `None` when the string is a literal (ARM's `[[` escapes a leading `[`).
pub fn body_of(text: &str) -> Option<&str> {
    let trimmed = text.trim();
    (trimmed.starts_with('[') && trimmed.ends_with(']') && !trimmed.starts_with("[["))
        .then(|| &trimmed[1..trimmed.len() - 1])
}

/// Parses an expression body; `None` if it is not well formed.
pub fn parse(body: &str) -> Option<Expr> {
    let mut parser = Parser {
        chars: body.char_indices().peekable(),
        text: body,
    };
    let expr = parser.expression(0)?;
    parser.skip_space();
    parser.chars.peek().is_none().then_some(expr)
}

/// How deep expressions may nest before the parser gives up (a hand-made
/// file must not exhaust the stack).
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    text: &'a str,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
    }

    fn eat(&mut self, expected: char) -> bool {
        self.skip_space();
        self.chars.next_if(|(_, c)| *c == expected).is_some()
    }

    fn expression(&mut self, depth: usize) -> Option<Expr> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut expr = self.primary(depth)?;
        loop {
            if self.eat('.') {
                expr = Expr::Member(Box::new(expr), self.identifier()?);
            } else if self.eat('[') {
                let index = self.expression(depth + 1)?;
                if !self.eat(']') {
                    return None;
                }
                expr = Expr::Index(Box::new(expr), Box::new(index));
            } else {
                return Some(expr);
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Option<Expr> {
        self.skip_space();
        let &(_, first) = self.chars.peek()?;
        if first == '\'' {
            return self.string().map(|s| Expr::Value(Value::String(s)));
        }
        if first.is_ascii_digit() || first == '-' {
            return self.number();
        }
        let name = self.identifier()?;
        if !self.eat('(') {
            return match name.to_ascii_lowercase().as_str() {
                "true" => Some(Expr::Value(Value::Bool(true))),
                "false" => Some(Expr::Value(Value::Bool(false))),
                "null" => Some(Expr::Value(Value::Null)),
                _ => None,
            };
        }
        let mut args = Vec::new();
        if !self.eat(')') {
            loop {
                args.push(self.expression(depth + 1)?);
                if self.eat(')') {
                    break;
                }
                if !self.eat(',') {
                    return None;
                }
            }
        }
        Some(Expr::Call { name, args })
    }

    fn identifier(&mut self) -> Option<String> {
        self.skip_space();
        let start = self.chars.peek()?.0;
        let mut end = start;
        while let Some((i, c)) = self
            .chars
            .next_if(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
        {
            end = i + c.len_utf8();
        }
        (end > start).then(|| self.text[start..end].to_owned())
    }

    fn string(&mut self) -> Option<String> {
        self.chars.next();
        let mut out = String::new();
        loop {
            let (_, c) = self.chars.next()?;
            if c == '\'' {
                if self.chars.next_if(|(_, c)| *c == '\'').is_some() {
                    out.push('\'');
                    continue;
                }
                return Some(out);
            }
            out.push(c);
        }
    }

    fn number(&mut self) -> Option<Expr> {
        let start = self.chars.peek()?.0;
        let mut end = start;
        while let Some((i, c)) = self
            .chars
            .next_if(|(i, c)| c.is_ascii_digit() || (*i == start && *c == '-'))
        {
            end = i + c.len_utf8();
        }
        let number: i64 = self.text[start..end].parse().ok()?;
        Some(Expr::Value(Value::from(number)))
    }
}

/// Writes an expression back as ARM text (without the outer brackets).
pub fn print(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(expr, &mut out);
    out
}

fn write_expr(expr: &Expr, out: &mut String) {
    match expr {
        Expr::Value(value) => write_value(value, out),
        Expr::Call { name, args } => {
            out.push_str(name);
            out.push('(');
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(arg, out);
            }
            out.push(')');
        }
        Expr::Member(target, member) => {
            write_expr(target, out);
            out.push('.');
            out.push_str(member);
        }
        Expr::Index(target, index) => {
            write_expr(target, out);
            out.push('[');
            write_expr(index, out);
            out.push(']');
        }
    }
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => write_quoted(s, out),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Bool(true) => out.push_str("true()"),
        Value::Bool(false) => out.push_str("false()"),
        Value::Null => out.push_str("null()"),
        other => {
            out.push_str("json(");
            write_quoted(&other.to_string(), out);
            out.push(')');
        }
    }
}

fn write_quoted(s: &str, out: &mut String) {
    out.push('\'');
    out.push_str(&s.replace('\'', "''"));
    out.push('\'');
}

/// What `parameters('x')` and `variables('y')` stand for while evaluating.
pub trait Scope {
    /// The value of parameter `name`, if known for certain.
    fn parameter(&self, name: &str) -> Option<Value>;
    /// The value of variable `name`, if it resolves to a literal.
    fn variable(&self, name: &str) -> Option<Value>;
}

/// Evaluates what can be evaluated; see the module documentation.
pub fn evaluate(expr: &Expr, scope: &dyn Scope) -> Expr {
    match expr {
        Expr::Value(_) => expr.clone(),
        Expr::Member(target, member) => {
            let target = evaluate(target, scope);
            match &target {
                Expr::Value(Value::Object(map)) => map
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(member))
                    .map(|(_, v)| Expr::Value(v.clone()))
                    .unwrap_or_else(|| Expr::Member(Box::new(target.clone()), member.clone())),
                _ => Expr::Member(Box::new(target), member.clone()),
            }
        }
        Expr::Index(target, index) => {
            let (target, index) = (evaluate(target, scope), evaluate(index, scope));
            let found = match (&target, &index) {
                (Expr::Value(Value::Array(items)), Expr::Value(Value::Number(n))) => n
                    .as_u64()
                    .and_then(|i| items.get(usize::try_from(i).ok()?))
                    .cloned(),
                (Expr::Value(Value::Object(map)), Expr::Value(Value::String(key))) => map
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v.clone()),
                _ => None,
            };
            match found {
                Some(value) => Expr::Value(value),
                None => Expr::Index(Box::new(target), Box::new(index)),
            }
        }
        Expr::Call { name, args } => {
            let args: Vec<Expr> = args.iter().map(|a| evaluate(a, scope)).collect();
            call(name, &args, scope).unwrap_or_else(|| Expr::Call {
                name: name.clone(),
                args,
            })
        }
    }
}

/// A call whose arguments are evaluated, if the function is one Tickmark
/// evaluates and its arguments are known.
fn call(name: &str, args: &[Expr], scope: &dyn Scope) -> Option<Expr> {
    let values: Option<Vec<&Value>> = args
        .iter()
        .map(|a| match a {
            Expr::Value(v) => Some(v),
            _ => None,
        })
        .collect();
    let lower = name.to_ascii_lowercase();
    // `if` decides with its condition alone.
    if lower == "if"
        && let [Expr::Value(condition), then, otherwise] = args
    {
        return truth(condition).map(|c| if c { then.clone() } else { otherwise.clone() });
    }
    let values = values?;
    let value = match (lower.as_str(), values.as_slice()) {
        ("parameters", [Value::String(n)]) => scope.parameter(n)?,
        ("variables", [Value::String(n)]) => scope.variable(n)?,
        ("concat", parts) if !parts.is_empty() => concat(parts)?,
        ("true", []) => Value::Bool(true),
        ("false", []) => Value::Bool(false),
        ("bool", [v]) => Value::Bool(truth(v)?),
        ("not", [v]) => Value::Bool(!truth(v)?),
        ("and", parts) if parts.len() >= 2 => Value::Bool(
            parts
                .iter()
                .map(|v| truth(v))
                .collect::<Option<Vec<_>>>()?
                .iter()
                .all(|b| *b),
        ),
        ("or", parts) if parts.len() >= 2 => Value::Bool(
            parts
                .iter()
                .map(|v| truth(v))
                .collect::<Option<Vec<_>>>()?
                .iter()
                .any(|b| *b),
        ),
        ("equals", [a, b]) => Value::Bool(equal(a, b)),
        _ => return None,
    };
    Some(Expr::Value(value))
}

/// A value as a condition: booleans, and the strings `true` / `false`.
fn truth(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// `equals`: ARM compares strings case-sensitively and everything else by value.
fn equal(a: &Value, b: &Value) -> bool {
    a == b
}

/// `concat` of strings (numbers and booleans are written as text), or of arrays.
fn concat(parts: &[&Value]) -> Option<Value> {
    if parts.iter().all(|p| p.is_array()) {
        let items = parts
            .iter()
            .flat_map(|p| p.as_array().into_iter().flatten().cloned())
            .collect();
        return Some(Value::Array(items));
    }
    let mut out = String::new();
    for part in parts {
        match part {
            Value::String(s) => out.push_str(s),
            Value::Number(n) => out.push_str(&n.to_string()),
            Value::Bool(b) => out.push_str(&b.to_string()),
            _ => return None,
        }
    }
    Some(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Fixed;

    impl Scope for Fixed {
        fn parameter(&self, name: &str) -> Option<Value> {
            match name {
                "location" => Some(json!("eastus2")),
                "enableDefender" => Some(json!(false)),
                "net" => Some(json!({"addressPrefix": "10.0.0.0/16", "subnets": ["a", "b"]})),
                _ => None,
            }
        }

        fn variable(&self, name: &str) -> Option<Value> {
            (name == "suffix").then(|| json!("-01"))
        }
    }

    fn eval(text: &str) -> String {
        print(&evaluate(&parse(body_of(text).unwrap()).unwrap(), &Fixed))
    }

    #[test]
    fn parses_and_prints_back() {
        let text =
            "resourceId('Microsoft.Network/virtualNetworks/subnets', variables('v'), 'it''s')";
        assert_eq!(print(&parse(text).unwrap()), text);
        let text = "reference(variables('x'), '2020-05-01').addressPrefix";
        assert_eq!(print(&parse(text).unwrap()), text);
        assert_eq!(
            print(&parse(" split( 'a/b' , '/' )[1] ").unwrap()),
            "split('a/b', '/')[1]"
        );
        assert!(parse("concat('a'").is_none());
        assert!(parse("concat('a') extra").is_none());
        assert!(parse(&"f(".repeat(100)).is_none());
        assert_eq!(body_of("[[literal]"), None);
        assert_eq!(body_of(" [x()] "), Some("x()"));
    }

    #[test]
    fn resolves_what_the_parameters_and_variables_state() {
        assert_eq!(
            eval("[concat('aks-', parameters('location'), variables('suffix'))]"),
            "'aks-eastus2-01'"
        );
        assert_eq!(eval("[parameters('net').addressPrefix]"), "'10.0.0.0/16'");
        assert_eq!(eval("[parameters('net').subnets[1]]"), "'b'");
        assert_eq!(eval("[not(parameters('enableDefender'))]"), "true()");
        assert_eq!(
            eval("[and(true(), equals(parameters('location'), 'eastus2'))]"),
            "true()"
        );
        assert_eq!(
            eval("[if(parameters('enableDefender'), 'Standard', 'Free')]"),
            "'Free'"
        );
    }

    #[test]
    fn keeps_what_it_cannot_know_with_known_parts_written_in() {
        assert_eq!(
            eval(
                "[resourceId('Microsoft.Network/networkSecurityGroups', concat('nsg-', parameters('location')))]"
            ),
            "resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-eastus2')"
        );
        assert_eq!(eval("[parameters('unknown')]"), "parameters('unknown')");
        assert_eq!(
            eval("[concat('a', uniqueString(resourceGroup().id))]"),
            "concat('a', uniqueString(resourceGroup().id))"
        );
        assert_eq!(
            eval("[equals(parameters('unknown'), 'x')]"),
            "equals(parameters('unknown'), 'x')"
        );
    }
}
