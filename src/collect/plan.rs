//! The collection plan as data: `assets/collection-plan.toml`, read and
//! validated (see the comment at the top of that file for its layout).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde::Deserialize;

use crate::catalog::Catalog;
use crate::checks::{CHECKS, CheckScope};
use crate::evidence::Format;

/// The built-in plan file, as embedded in the binary.
pub const PLAN_TOML: &str = include_str!("../../assets/collection-plan.toml");

/// The variables every plan may use without discovering them: the
/// parameters of `tickmark collect`.
pub const PARAMETERS: &[&str] = &["subscription", "resource_group", "cluster", "kube_context"];

static BUILTIN: LazyLock<Plan> = LazyLock::new(|| {
    // The embedded file is validated by the test suite; a failure here is a
    // build defect, not bad user input.
    Plan::from_toml(PLAN_TOML).expect("the embedded collection plan is valid")
});

/// The built-in collection plan (parsed on first use).
pub fn builtin() -> &'static Plan {
    &BUILTIN
}

/// The command of built-in plan step `step` as people read it (variables
/// shown as `<variable>`): what the checks' "export it with ..." hints and
/// the catalog's evidence lines say, so that they never disagree with what
/// `tickmark collect` runs. A test checks that every step named exists.
pub fn export_command(step: &str) -> String {
    match builtin().step(step) {
        Some(found) => found.display_command(),
        None => format!("<the {step} export>"),
    }
}

/// Who produces a step's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ProvidedBy {
    /// `tickmark collect` runs it (with `az` or `kubectl`).
    #[default]
    Collect,
    /// The platform team runs it (scanners, logs); the request list asks.
    Client,
}

/// What a step gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Named values, one per output line, in order.
    Values(Vec<String>),
    /// One list variable: every non-empty output line.
    List(String),
    /// A file kept as evidence.
    File {
        /// Where, relative to the output folder (forward slashes).
        path: String,
        /// The formats Tickmark detects in it.
        formats: Vec<Format>,
    },
}

/// One step of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// A stable ID (`aks-cluster`).
    pub id: String,
    /// What it gets, for people (`AKS cluster`).
    pub title: String,
    /// Who runs it.
    pub provided_by: ProvidedBy,
    /// The program: `az` or `kubectl` for collected steps, the scanner's
    /// name for client steps.
    pub tool: String,
    /// The arguments, with `{variable}` placeholders (collected steps).
    pub args: Vec<String>,
    /// The command as people read it (client steps).
    pub command: Option<String>,
    /// What it gives.
    pub output: Output,
    /// The checks a file feeds (IDs, patterns expanded).
    pub checks: Vec<String>,
    /// Text removed from the start of each output line.
    pub trim_prefix: Option<String>,
    /// The variable a `values` step falls back to when it found nothing.
    pub otherwise: Option<String>,
    /// The step is skipped when this variable is already set.
    pub unless: Option<String>,
    /// Error output that means "not there", not "failed".
    pub unavailable_when: Option<String>,
}

impl Step {
    /// True for a step that keeps its output as an evidence file.
    pub fn is_file(&self) -> bool {
        matches!(self.output, Output::File { .. })
    }

    /// The file it writes, if it keeps one.
    pub fn file(&self) -> Option<&str> {
        match &self.output {
            Output::File { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The formats of its file (none for a discovery).
    pub fn formats(&self) -> &[Format] {
        match &self.output {
            Output::File { formats, .. } => formats,
            _ => &[],
        }
    }

    /// The variables its arguments use, in order of first use.
    pub fn variables(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for arg in &self.args {
            for piece in pieces(arg) {
                if let Piece::Variable(name) = piece
                    && !names.contains(&name)
                {
                    names.push(name);
                }
            }
        }
        names
    }

    /// The variables it sets.
    pub fn sets(&self) -> Vec<&str> {
        match &self.output {
            Output::Values(names) => names.iter().map(String::as_str).collect(),
            Output::List(name) => vec![name.as_str()],
            Output::File { .. } => Vec::new(),
        }
    }

    /// The command as people read it, with each variable shown as
    /// `<variable>` (client steps: their `command`).
    pub fn display_command(&self) -> String {
        if let Some(command) = &self.command {
            return command.clone();
        }
        let mut words = vec![self.tool.clone()];
        for arg in &self.args {
            let mut shown = String::new();
            for piece in pieces(arg) {
                match piece {
                    Piece::Text(text) => shown.push_str(text),
                    Piece::Variable(name) => {
                        shown.push('<');
                        shown.push_str(&name.replace('_', " "));
                        shown.push('>');
                    }
                }
            }
            let placeholder_only = shown.starts_with('<') && shown.ends_with('>');
            words.push(if placeholder_only {
                shown
            } else {
                shell_quote(&shown)
            });
        }
        words.join(" ")
    }

    /// The assessed requirements of `catalog` its checks feed, in catalog
    /// order. Per-requirement checks (Azure Policy, Defender, Prowler) feed
    /// the requirements their results name, which the plan cannot know;
    /// they are left out here.
    pub fn requirements<'a>(&self, catalog: &'a Catalog) -> Vec<&'a str> {
        catalog
            .requirements()
            .filter(|node| {
                catalog
                    .checks_for(&node.id)
                    .iter()
                    .any(|check| self.checks.iter().any(|c| c == check))
            })
            .map(|node| node.id.as_str())
            .collect()
    }

    /// True if its checks include a per-requirement check, whose results
    /// name the requirements themselves.
    pub fn feeds_named_requirements(&self) -> bool {
        self.checks.iter().any(|id| {
            crate::checks::check_def(id).is_some_and(|def| def.scope == CheckScope::PerRequirement)
        })
    }
}

/// A check on discovered values, reported as a warning when it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The variable whose value is checked.
    pub value: String,
    /// The variable whose value it should contain.
    pub contains: String,
    /// The warning, with `{variable}` placeholders.
    pub message: String,
}

impl Warning {
    /// The warning's text if the check fails on `vars` (it is not made when
    /// either value is unknown).
    pub fn check(&self, vars: &BTreeMap<String, Vec<String>>) -> Option<String> {
        let first = |name: &str| {
            vars.get(name)
                .and_then(|values| values.first())
                .filter(|v| !v.is_empty())
        };
        let (value, expected) = (first(&self.value)?, first(&self.contains)?);
        if value.to_lowercase().contains(&expected.to_lowercase()) {
            return None;
        }
        Some(substitute(&self.message, &|name| {
            first(name).cloned().unwrap_or_default()
        }))
    }
}

/// A collection plan: the steps in the order they run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The plan's ID (`aks-pci`).
    pub id: String,
    /// Its version; raised when a command or file changes.
    pub version: u32,
    /// Seconds a command may take by default.
    pub timeout_seconds: u64,
    /// Every step, in order.
    pub steps: Vec<Step>,
    /// Checks on discovered values.
    pub warnings: Vec<Warning>,
}

impl Plan {
    /// Parses and validates a plan file (TOML): unique step IDs; every
    /// variable set by a parameter or an earlier step; list variables only
    /// as whole arguments; collected steps run `az` or `kubectl` with
    /// arguments, client steps name a command; files relative, each written
    /// once, with known formats and at least one known check; every check
    /// pattern matching a check.
    pub fn from_toml(text: &str) -> Result<Plan, String> {
        let raw: RawPlan = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut known: BTreeMap<String, bool> = PARAMETERS
            .iter()
            .map(|name| ((*name).to_owned(), false))
            .collect();
        let mut ids = BTreeSet::new();
        let mut files = BTreeSet::new();
        let mut steps = Vec::with_capacity(raw.step.len());
        for raw_step in raw.step {
            let id = raw_step.id.clone();
            let step = raw_step
                .into_step(&known)
                .map_err(|e| format!("step `{id}`: {e}"))?;
            if !ids.insert(step.id.clone()) {
                return Err(format!("step `{}` is listed twice", step.id));
            }
            if let Some(file) = step.file()
                && step.provided_by == ProvidedBy::Collect
                && !files.insert(file.to_owned())
            {
                return Err(format!("step `{}`: {file} is written twice", step.id));
            }
            for name in step.sets() {
                known.insert(name.to_owned(), matches!(step.output, Output::List(_)));
            }
            steps.push(step);
        }
        let mut warnings = Vec::new();
        for warning in raw.warning {
            for name in [&warning.value, &warning.contains] {
                if !known.contains_key(name) {
                    return Err(format!("a warning uses `{name}`, which no step sets"));
                }
            }
            check_placeholders(&warning.message, &known)
                .map_err(|e| format!("a warning's message: {e}"))?;
            warnings.push(Warning {
                value: warning.value,
                contains: warning.contains,
                message: warning.message,
            });
        }
        if raw.timeout_seconds == 0 {
            return Err("timeout_seconds must be more than 0".into());
        }
        Ok(Plan {
            id: raw.id,
            version: raw.version,
            timeout_seconds: raw.timeout_seconds,
            steps,
            warnings,
        })
    }

    /// The step with this ID.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// The steps that keep a file (collected and client), in order.
    pub fn file_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.is_file())
    }

    /// The file steps that feed check `check`, in order.
    pub fn steps_for_check<'a>(&'a self, check: &'a str) -> impl Iterator<Item = &'a Step> {
        self.file_steps()
            .filter(move |s| s.checks.iter().any(|c| c == check))
    }

    /// The file steps whose files have format `format`, in order.
    pub fn steps_for_format(&self, format: Format) -> impl Iterator<Item = &Step> {
        self.file_steps()
            .filter(move |s| s.formats().contains(&format))
    }

    /// True if variable `name` holds a list.
    pub fn is_list(&self, name: &str) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(&s.output, Output::List(list) if list == name))
    }

    /// The step that sets variable `name` (`None` for a parameter).
    pub fn setter_of(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.sets().contains(&name))
    }
}

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    id: String,
    version: u32,
    timeout_seconds: u64,
    #[serde(default)]
    step: Vec<RawStep>,
    #[serde(default)]
    warning: Vec<RawWarning>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWarning {
    value: String,
    contains: String,
    message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: String,
    title: String,
    #[serde(default)]
    provided_by: ProvidedBy,
    tool: String,
    #[serde(default)]
    args: Vec<String>,
    command: Option<String>,
    values: Option<Vec<String>>,
    list: Option<String>,
    file: Option<String>,
    #[serde(default)]
    formats: Vec<String>,
    #[serde(default)]
    checks: Vec<String>,
    trim_prefix: Option<String>,
    otherwise: Option<String>,
    unless: Option<String>,
    unavailable_when: Option<String>,
}

impl RawStep {
    fn into_step(self, known: &BTreeMap<String, bool>) -> Result<Step, String> {
        if !is_step_id(&self.id) {
            return Err("the ID must be lower-case letters, digits and dashes".into());
        }
        if self.title.trim().is_empty() || self.title.contains('\n') {
            return Err("the title must be one non-empty line".into());
        }
        let output = self.output()?;
        match self.provided_by {
            ProvidedBy::Collect => {
                if !matches!(self.tool.as_str(), "az" | "kubectl") {
                    return Err(format!(
                        "collected steps run az or kubectl, not `{}`",
                        self.tool
                    ));
                }
                if self.args.is_empty() || self.command.is_some() {
                    return Err("a collected step has `args` and no `command`".into());
                }
            }
            ProvidedBy::Client => {
                if !self.args.is_empty()
                    || self.command.is_none()
                    || !matches!(output, Output::File { .. })
                {
                    return Err("a client step has a `command`, a `file` and no `args`".into());
                }
            }
        }
        for arg in &self.args {
            check_placeholders(arg, known)?;
            for piece in pieces(arg) {
                if let Piece::Variable(name) = piece
                    && known.get(name) == Some(&true)
                    && arg != &format!("{{{name}}}")
                {
                    return Err(format!(
                        "the list `{name}` must stand alone as an argument, not inside `{arg}`"
                    ));
                }
            }
        }
        for name in self.unless.iter().chain(&self.otherwise) {
            if !known.contains_key(name) {
                return Err(format!("`{name}` is not set before this step"));
            }
        }
        if self.otherwise.is_some() && !matches!(&output, Output::Values(v) if v.len() == 1) {
            return Err("`otherwise` needs exactly one value".into());
        }
        if self.unless.is_some() && !matches!(&output, Output::Values(v) if v.len() == 1) {
            return Err("`unless` needs exactly one value".into());
        }
        let checks = expand_checks(&self.checks)?;
        if matches!(output, Output::File { .. }) && checks.is_empty() {
            return Err("a file step names the checks it feeds".into());
        }
        if !matches!(output, Output::File { .. }) && !checks.is_empty() {
            return Err("only file steps feed checks".into());
        }
        Ok(Step {
            id: self.id,
            title: self.title,
            provided_by: self.provided_by,
            tool: self.tool,
            args: self.args,
            command: self.command,
            output,
            checks,
            trim_prefix: self.trim_prefix,
            otherwise: self.otherwise,
            unless: self.unless,
            unavailable_when: self.unavailable_when,
        })
    }

    fn output(&self) -> Result<Output, String> {
        match (&self.values, &self.list, &self.file) {
            (Some(values), None, None) if !values.is_empty() => {
                for name in values {
                    if !is_variable(name) {
                        return Err(format!("`{name}` is not a variable name"));
                    }
                }
                Ok(Output::Values(values.clone()))
            }
            (None, Some(list), None) if is_variable(list) => Ok(Output::List(list.clone())),
            (None, None, Some(file)) => {
                let relative = !file.starts_with('/')
                    && !file.contains('\\')
                    && !file
                        .split('/')
                        .any(|part| part.is_empty() || part == ".." || part == ".");
                if !relative {
                    return Err(format!(
                        "`{file}` must be a relative path with forward slashes"
                    ));
                }
                if self.formats.is_empty() {
                    return Err("a file step names the formats of its file".into());
                }
                let formats = self
                    .formats
                    .iter()
                    .map(|id| Format::from_id(id).ok_or_else(|| format!("unknown format `{id}`")))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Output::File {
                    path: file.clone(),
                    formats,
                })
            }
            _ => Err("a step has exactly one of `values`, `list` and `file`".into()),
        }
    }
}

fn is_step_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A variable name: a lower-case letter, then lower-case letters, digits and
/// underscores.
pub(crate) fn is_variable(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Check IDs, with `prefix.*` patterns expanded to every matching check.
fn expand_checks(patterns: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for pattern in patterns {
        let matched: Vec<&str> = match pattern.strip_suffix('*') {
            Some(prefix) => CHECKS
                .iter()
                .map(|c| c.id)
                .filter(|id| id.starts_with(prefix))
                .collect(),
            None => CHECKS
                .iter()
                .map(|c| c.id)
                .filter(|id| id == pattern)
                .collect(),
        };
        if matched.is_empty() {
            return Err(format!("`{pattern}` matches no check"));
        }
        for id in matched {
            if !out.iter().any(|c| c == id) {
                out.push(id.to_owned());
            }
        }
    }
    Ok(out)
}

fn check_placeholders(text: &str, known: &BTreeMap<String, bool>) -> Result<(), String> {
    for piece in pieces(text) {
        if let Piece::Variable(name) = piece
            && !known.contains_key(name)
        {
            return Err(format!("`{{{name}}}` is not set before it is used"));
        }
    }
    Ok(())
}

/// A part of an argument: literal text or a `{variable}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// Literal text.
    Text(&'a str),
    /// A variable's name.
    Variable(&'a str),
}

/// Splits `text` into literal text and `{variable}` placeholders. Braces
/// around anything that is not a variable name (a kubectl JSONPath such as
/// `{.clusters[0]}`) are literal text.
pub(crate) fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut literal_start = 0;
    let mut at = 0;
    while let Some(open) = text[at..].find('{').map(|i| i + at) {
        let Some(close) = text[open..].find('}').map(|i| i + open) else {
            break;
        };
        let name = &text[open + 1..close];
        if is_variable(name) {
            if open > literal_start {
                out.push(Piece::Text(&text[literal_start..open]));
            }
            out.push(Piece::Variable(name));
            literal_start = close + 1;
            at = close + 1;
        } else {
            at = open + 1;
        }
    }
    if literal_start < text.len() {
        out.push(Piece::Text(&text[literal_start..]));
    }
    out
}

/// `text` with every `{variable}` replaced by `value(variable)`.
pub(crate) fn substitute(text: &str, value: &dyn Fn(&str) -> String) -> String {
    pieces(text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.to_owned(),
            Piece::Variable(name) => value(name),
        })
        .collect()
}

/// One word as a POSIX shell reads it: as it is when it holds only
/// characters no shell treats specially, else in single quotes (a quote
/// inside becomes `'\''`). The collection manifest records commands this
/// way, and the bash script quotes the same way, so both agree.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_plan_is_valid() {
        let plan = Plan::from_toml(PLAN_TOML).unwrap();
        assert!(plan.steps.len() > 30);
        assert_eq!(
            plan.step("aks-cluster").unwrap().file(),
            Some("azure/aks-cluster.json")
        );
    }

    #[test]
    fn every_check_is_served_by_a_file_step() {
        let plan = builtin();
        for check in CHECKS {
            assert!(
                plan.steps_for_check(check.id).next().is_some(),
                "no step of the collection plan feeds {}",
                check.id
            );
        }
    }

    #[test]
    fn every_step_the_checks_name_in_their_hints_exists() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for piece in text.split("cmd(\"").skip(1) {
                        found.push(piece.split('"').next().unwrap().to_owned());
                    }
                }
            }
        }
        let mut steps = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks"),
            &mut steps,
        );
        assert!(steps.len() > 20, "{steps:?}");
        for step in steps {
            assert!(
                builtin().step(&step).is_some(),
                "a check names step `{step}`"
            );
        }
    }

    #[test]
    fn the_catalog_names_the_plan_commands() {
        let catalog = crate::catalog::pci_dss_321();
        let lines: Vec<&String> = catalog.nodes.iter().flat_map(|n| &n.evidence).collect();
        assert!(lines.iter().all(|line| !line.contains("{plan:")));
        let nsgs = format!("`{}`", export_command("nsgs"));
        assert!(lines.iter().any(|line| line.contains(&nsgs)));
    }

    #[test]
    fn placeholders_and_jsonpath_braces_are_told_apart() {
        assert_eq!(
            pieces("jsonpath={.clusters[0].cluster.server}"),
            vec![Piece::Text("jsonpath={.clusters[0].cluster.server}")]
        );
        assert_eq!(
            pieces("/subscriptions/{subscription_id}/x"),
            vec![
                Piece::Text("/subscriptions/"),
                Piece::Variable("subscription_id"),
                Piece::Text("/x")
            ]
        );
        assert_eq!(pieces("{cluster}"), vec![Piece::Variable("cluster")]);
    }

    #[test]
    fn the_display_command_shows_placeholders_and_quotes_the_rest() {
        let step = builtin().step("egress-next-hop").unwrap();
        assert_eq!(
            step.display_command(),
            "az network route-table list --subscription <subscription> --resource-group <network resource group> --query '[].routes[?addressPrefix=='\\''0.0.0.0/0'\\''].nextHopIpAddress | [] | [0]' --output tsv"
        );
    }

    #[test]
    fn bad_plans_are_refused_with_the_step_named() {
        let base = "id = \"p\"\nversion = 1\ntimeout_seconds = 5\n";
        let cases = [
            (
                "[[step]]\nid = \"a\"\ntitle = \"A\"\ntool = \"az\"\nargs = [\"x\", \"{nowhere}\"]\nvalues = [\"v\"]\n",
                "step `a`: `{nowhere}` is not set before it is used",
            ),
            (
                "[[step]]\nid = \"a\"\ntitle = \"A\"\ntool = \"curl\"\nargs = [\"x\"]\nvalues = [\"v\"]\n",
                "collected steps run az or kubectl",
            ),
            (
                "[[step]]\nid = \"a\"\ntitle = \"A\"\ntool = \"az\"\nargs = [\"x\"]\nlist = \"ids\"\n[[step]]\nid = \"b\"\ntitle = \"B\"\ntool = \"az\"\nargs = [\"--ids=x{ids}\"]\nvalues = [\"v\"]\n",
                "step `b`: the list `ids` must stand alone",
            ),
            (
                "[[step]]\nid = \"a\"\ntitle = \"A\"\ntool = \"az\"\nargs = [\"x\"]\nfile = \"../x.json\"\nformats = [\"azure-aks\"]\nchecks = [\"aks.*\"]\n",
                "must be a relative path",
            ),
            (
                "[[step]]\nid = \"a\"\ntitle = \"A\"\ntool = \"az\"\nargs = [\"x\"]\nfile = \"x.json\"\nformats = [\"azure-aks\"]\nchecks = [\"nope.*\"]\n",
                "`nope.*` matches no check",
            ),
            (
                "[[step]]\nid = \"a\"\ntitle = \"A\"\ntool = \"az\"\nargs = [\"x\"]\nfile = \"x.json\"\nformats = [\"azure-teapot\"]\nchecks = [\"aks.*\"]\n",
                "unknown format `azure-teapot`",
            ),
        ];
        for (steps, expected) in cases {
            let err = Plan::from_toml(&format!("{base}{steps}")).unwrap_err();
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn shell_quoting_leaves_plain_words_alone() {
        assert_eq!(shell_quote("rg-bu0001a0005"), "rg-bu0001a0005");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
