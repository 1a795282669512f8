//! The collection plan as a script: `tickmark collect --script bash` or
//! `--script powershell` prints a script that runs the same steps with the
//! same parameters, writes the same files and the same manifest (see
//! [`super::collect`]), for teams who must run the collection where
//! Tickmark is not installed.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::plan::{Output, Piece, Plan, ProvidedBy, Step, pieces, shell_quote};
use super::run::{EMPTY_REASON, MAX_STDERR_BYTES, Target, missing_reason, unavailable_reason};
use crate::evidence::custody::{MANIFEST_FILE, MANIFEST_VERSION};

/// The script languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// bash 3.2 or later (Linux, macOS, Azure Cloud Shell).
    Bash,
    /// PowerShell 7 or later.
    PowerShell,
}

impl Language {
    /// The ID used on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Language::Bash => "bash",
            Language::PowerShell => "powershell",
        }
    }
}

/// What the script needs besides the plan.
#[derive(Debug, Clone)]
pub struct ScriptOptions<'a> {
    /// The cluster to collect from.
    pub target: &'a Target,
    /// The folder the script writes to when none is given when it is run.
    pub out: &'a str,
    /// Seconds each command may take.
    pub timeout_seconds: u64,
    /// The `tickmark collect` command line that printed it.
    pub command_line: &'a str,
}

/// The plan as a script in `language`.
pub fn render(plan: &Plan, language: Language, options: &ScriptOptions<'_>) -> String {
    match language {
        Language::Bash => bash(plan, options),
        Language::PowerShell => powershell(plan, options),
    }
}

/// Every variable the plan and the manifest use, sorted.
fn variable_names(plan: &Plan) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = super::plan::PARAMETERS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    for step in &plan.steps {
        names.extend(step.sets().into_iter().map(str::to_owned));
    }
    for fixed in CONTEXT_VARIABLES {
        names.insert((*fixed).to_owned());
    }
    names.insert("az_version".into());
    names.insert("kubectl_version".into());
    names
}

/// Every variable with its value before the first step: the parameters as
/// given, everything else empty.
fn initial_values(plan: &Plan, target: &Target) -> Vec<(String, String)> {
    let given = target.variables();
    variable_names(plan)
        .into_iter()
        .map(|name| {
            let value = given
                .get(&name)
                .and_then(|values| values.first())
                .cloned()
                .unwrap_or_default();
            (name, value)
        })
        .collect()
}

/// The variables the manifest's `context` is made of, in its order.
const CONTEXT_VARIABLES: &[&str] = &[
    "subscription_id",
    "subscription_name",
    "tenant_id",
    "principal",
    "principal_type",
    "kube_context",
    "kube_server",
    "cluster_id",
];

fn collected_steps(plan: &Plan) -> Vec<&Step> {
    plan.steps
        .iter()
        .filter(|s| s.provided_by == ProvidedBy::Collect)
        .collect()
}

fn header_comment(plan: &Plan, prefix: &str, usage: &str) -> String {
    let lines = [
        format!(
            "Tickmark evidence collection, printed by `tickmark collect` (Tickmark {}).",
            env!("CARGO_PKG_VERSION")
        ),
        format!(
            "Collection plan {} version {}: {} commands.",
            plan.id,
            plan.version,
            collected_steps(plan).len()
        ),
        String::new(),
        "It runs your own az and kubectl with the sign-in and kubeconfig you already".into(),
        "have; it asks for, reads and stores no credentials. It writes one file per".into(),
        format!("export and {MANIFEST_FILE} (how, when and by whom each file"),
        "was collected, with its SHA-256) into the output folder, which must not".into(),
        "exist or be empty. Import the folder into Tickmark as it is.".into(),
        String::new(),
        format!("Usage: {usage}"),
        "Exit code: 0 when every command succeeded, 2 when one failed or timed out".into(),
        "(the other files are still written; the manifest names the failure).".into(),
    ];
    lines
        .iter()
        .map(|line| {
            if line.is_empty() {
                prefix.trim_end().to_owned()
            } else {
                format!("{prefix}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------
// bash
// ---------------------------------------------------------------------------

/// bash helpers: quoting like [`shell_quote`], JSON strings, running a
/// command with the time limit, reading values.
const BASH_HELPERS: &str = r#"
shopt -s globasciiranges 2>/dev/null || true
TM_TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TM_TMP"' EXIT
if command -v timeout >/dev/null 2>&1; then TM_TIMEOUT_CMD=timeout; else TM_TIMEOUT_CMD=; fi
NL=$'\n'
TM_STEPS=()
TM_FAILURES=()
TM_WARNINGS=()

tm_now() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# One word as a POSIX shell reads it (as Tickmark records commands).
tm_quote() {
  local LC_ALL=C q="'\\''"
  case "$1" in
    '') printf "''" ;;
    *[!A-Za-z0-9_./:=@%+,-]*) printf "'%s'" "${1//\'/$q}" ;;
    *) printf '%s' "$1" ;;
  esac
}

tm_command_line() {
  local out='' word
  for word in "$@"; do out="$out${out:+ }$(tm_quote "$word")"; done
  printf '%s' "$out"
}

# A JSON string.
tm_json() {
  local s=$1 i c
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  for i in 1 2 3 4 5 6 7 8 11 12 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31; do
    c=$(printf "\\$(printf '%03o' "$i")")
    case "$s" in *"$c"*) s=${s//$c/$(printf '\\u%04x' "$i")} ;; esac
  done
  printf '"%s"' "$s"
}

# A JSON string, or null when empty.
tm_json_opt() { if [ -n "$1" ]; then tm_json "$1"; else printf 'null'; fi; }

# A JSON array of the non-empty lines of $1.
tm_json_lines() {
  local out='' line
  while IFS= read -r line; do
    [ -n "$line" ] && out="$out${out:+, }$(tm_json "$line")"
  done <<< "$1"
  printf '[%s]' "$out"
}

tm_trim() {
  local s=$1
  s="${s#"${s%%[![:space:]]*}"}"
  s="${s%"${s##*[![:space:]]}"}"
  printf '%s' "$s"
}

tm_lower() { printf '%s' "$1" | tr '[:upper:]' '[:lower:]'; }

# Starts a step: resets what the manifest will record about it.
tm_begin() {
  S_ID=$1 S_TOOL=$2 S_STATUS=skipped S_COMMAND= S_STARTED= S_FINISHED= S_EXIT=
  S_FILE= S_SHA= S_SIZE= S_VALUES= S_HAS_STDERR= S_STDERR= S_HAS_REASON= S_REASON=
  printf '[%2d/%d] %s\n' "$3" "$TM_TOTAL" "$4" >&2
}

tm_reason() {
  if [ -n "$S_HAS_REASON" ]; then S_REASON="$S_REASON; $1"; else S_REASON=$1; S_HAS_REASON=1; fi
}

# Runs "$@" with the time limit, its output into file $1 (shifted off).
# Sets S_COMMAND, S_STARTED, S_FINISHED, S_EXIT and, on failure, S_STDERR.
tm_exec() {
  local out=$1 code s
  shift
  S_COMMAND=$(tm_command_line "$@")
  S_STARTED=$(tm_now)
  if [ -n "$TM_TIMEOUT_CMD" ]; then
    "$TM_TIMEOUT_CMD" --kill-after=5 "$TM_TIMEOUT" "$@" > "$out" 2> "$TM_TMP/stderr" < /dev/null
  else
    "$@" > "$out" 2> "$TM_TMP/stderr" < /dev/null
  fi
  code=$?
  S_FINISHED=$(tm_now)
  S_EXIT=$code
  if [ "$code" -eq 0 ]; then return 0; fi
  s=$(cat "$TM_TMP/stderr")
  s="${s%"${s##*[![:space:]]}"}"
  if [ -n "$TM_TIMEOUT_CMD" ] && [ "$code" -eq 124 ]; then
    S_STATUS=timed_out S_EXIT=
    if [ -n "$s" ]; then s="$s"$'\n'; fi
    s="${s}stopped after $TM_TIMEOUT s, the time limit"
  else
    S_STATUS=failed
  fi
  S_STDERR=$(LC_ALL=C; printf '%s' "${s:0:TM_MAX_STDERR}")
  S_HAS_STDERR=1
  return 1
}

# Reads the output lines of the last discovery into TM_LINES (trimmed,
# prefix $1 removed).
tm_read_lines() {
  local line
  TM_LINES=()
  while IFS= read -r line || [ -n "$line" ]; do
    line=$(tm_trim "$line")
    if [ -n "$1" ]; then line=${line#"$1"}; line=$(tm_trim "$line"); fi
    TM_LINES+=("$line")
  done < "$TM_TMP/stdout"
}

# The non-empty lines of the last discovery, each once.
tm_read_list() {
  local line out='' seen=$'\n'
  tm_read_lines "$1"
  for line in ${TM_LINES[@]+"${TM_LINES[@]}"}; do
    [ -z "$line" ] && continue
    case "$seen" in *$'\n'"$line"$'\n'*) continue ;; esac
    seen="$seen$line"$'\n'
    out="$out${out:+$'\n'}$line"
  done
  printf '%s' "$out"
}

# Keeps the output of a file step: $1 the partial file, $2 the file, $3 the
# path as recorded.
tm_keep() {
  local bytes
  bytes=$(wc -c < "$1" | tr -d ' ')
  if [ "$bytes" -le 64 ]; then
    case "$(tr -d ' \t\r\n' < "$1")" in
      '[]'|'{"value":[]}')
        rm -f "$1"
        S_STATUS=empty
        tm_reason "$TM_EMPTY_REASON"
        return ;;
    esac
  fi
  mv -f "$1" "$2" || { S_STATUS=failed S_HAS_STDERR=1 S_STDERR="cannot write $3"; return; }
  S_STATUS=ok S_FILE=$3 S_SIZE=$bytes
  if command -v sha256sum >/dev/null 2>&1; then
    S_SHA=$(sha256sum "$2" | cut -d' ' -f1)
  else
    S_SHA=$(shasum -a 256 "$2" | cut -d' ' -f1)
  fi
}

# Appends the step's manifest entry.
tm_end() {
  local j i='      '
  j="    {$NL$i\"id\": $(tm_json "$S_ID"),$NL$i\"tool\": $(tm_json "$S_TOOL")"
  [ -n "$S_COMMAND" ] && j="$j,$NL$i\"command\": $(tm_json "$S_COMMAND")"
  j="$j,$NL$i\"status\": \"$S_STATUS\""
  [ -n "$S_STARTED" ] && j="$j,$NL$i\"started_at\": \"$S_STARTED\",$NL$i\"finished_at\": \"$S_FINISHED\""
  [ -n "$S_EXIT" ] && j="$j,$NL$i\"exit_code\": $S_EXIT"
  [ -n "$S_FILE" ] && j="$j,$NL$i\"file\": $(tm_json "$S_FILE"),$NL$i\"sha256\": \"$S_SHA\",$NL$i\"size\": $S_SIZE"
  [ -n "$S_VALUES" ] && j="$j,$NL$i\"values\": {$S_VALUES}"
  [ -n "$S_HAS_STDERR" ] && j="$j,$NL$i\"stderr\": $(tm_json "$S_STDERR")"
  [ -n "$S_HAS_REASON" ] && j="$j,$NL$i\"reason\": $(tm_json "$S_REASON")"
  TM_STEPS+=("$j$NL    }")
  case "$S_STATUS" in failed|timed_out) TM_FAILURES+=("$S_ID") ;; esac
  printf '        %s%s\n' "$S_STATUS" "${S_FILE:+ $S_FILE}" >&2
  if [ -n "$S_HAS_STDERR" ]; then printf '%s\n' "$S_STDERR" | sed 's/^/        | /' >&2; fi
}

tm_join() {
  local sep=$1 out='' item
  shift
  for item in "$@"; do out="$out${out:+$sep}$item"; done
  printf '%s' "$out"
}
"#;

fn bash(plan: &Plan, options: &ScriptOptions<'_>) -> String {
    let target = options.target;
    let mut s = String::new();
    s.push_str("#!/usr/bin/env bash\n");
    s.push_str(&header_comment(
        plan,
        "# ",
        "bash collect.sh [OUTPUT-FOLDER]",
    ));
    s.push_str("\nset -u\n\n");
    let _ = writeln!(
        s,
        "TM_OUT=\"${{1:-{}}}\"",
        options.out.replace(['"', '$', '`', '\\'], "")
    );
    let _ = writeln!(s, "TM_TIMEOUT={}", options.timeout_seconds);
    let _ = writeln!(s, "TM_MAX_STDERR={MAX_STDERR_BYTES}");
    let _ = writeln!(s, "TM_COMMAND_LINE={}", shell_quote(options.command_line));
    let _ = writeln!(s, "TM_EMPTY_REASON={}", shell_quote(EMPTY_REASON));
    let _ = writeln!(s, "TM_TOTAL={}", collected_steps(plan).len());
    let _ = writeln!(s, "TM_P_SUBSCRIPTION={}", shell_quote(&target.subscription));
    let _ = writeln!(
        s,
        "TM_P_RESOURCE_GROUP={}",
        shell_quote(&target.resource_group)
    );
    let _ = writeln!(s, "TM_P_CLUSTER={}", shell_quote(&target.cluster));
    let _ = writeln!(
        s,
        "TM_P_KUBE_CONTEXT={}",
        shell_quote(target.kube_context.as_deref().unwrap_or(""))
    );
    s.push_str("\n# The cluster, and every value the steps find.\n");
    for (name, value) in initial_values(plan, target) {
        let _ = writeln!(s, "V_{name}={}", shell_quote(&value));
    }
    s.push_str(BASH_HELPERS);
    s.push_str(
        r#"
if [ -d "$TM_OUT" ] && [ -n "$(ls -A "$TM_OUT" 2>/dev/null)" ]; then
  printf '%s: the folder is not empty; collect into a new or empty folder, so that old and new evidence do not mix\n' "$TM_OUT" >&2
  exit 2
fi
mkdir -p "$TM_OUT" || exit 2
TM_STARTED_AT=$(tm_now)
"#,
    );
    for (index, step) in collected_steps(plan).into_iter().enumerate() {
        bash_step(&mut s, plan, step, index + 1);
    }
    bash_warnings(&mut s, plan);
    bash_manifest(&mut s, plan);
    s
}

/// A word of bash that expands to `arg` with its variables (a list variable
/// standing alone is handled by the caller).
fn bash_word(arg: &str) -> String {
    let parts = pieces(arg);
    if parts.is_empty() {
        return "''".into();
    }
    parts
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => shell_quote(text),
            Piece::Variable(name) => format!("\"$V_{name}\""),
        })
        .collect()
}

fn bash_step(s: &mut String, plan: &Plan, step: &Step, index: usize) {
    let _ = writeln!(s, "\n# {}: {}", step.id, step.title);
    let _ = writeln!(
        s,
        "tm_begin {} {} {index} {}",
        shell_quote(&step.id),
        shell_quote(&step.tool),
        shell_quote(&step.title)
    );
    let mut first = true;
    let mut branch = |s: &mut String, condition: String, reason: String| {
        let keyword = if first { "if" } else { "elif" };
        first = false;
        let _ = writeln!(
            s,
            "{keyword} {condition}; then\n  tm_reason {}",
            shell_quote(&reason)
        );
    };
    if let Some(name) = &step.unless {
        branch(
            s,
            format!("[ -n \"$V_{name}\" ]"),
            format!("{name} was given"),
        );
    }
    for name in step.variables() {
        let reason = missing_reason(plan, name);
        branch(s, format!("[ -z \"$V_{name}\" ]"), reason);
    }
    s.push_str(if first { "{\n" } else { "else\n" });
    s.push_str("  tm_args=(");
    s.push_str(&shell_quote(&step.tool));
    s.push_str(")\n");
    for arg in &step.args {
        match pieces(arg).as_slice() {
            [Piece::Variable(name)] if plan.is_list(name) => {
                let _ = writeln!(
                    s,
                    "  while IFS= read -r tm_line; do [ -n \"$tm_line\" ] && tm_args+=(\"$tm_line\"); done <<< \"$V_{name}\""
                );
            }
            _ => {
                let _ = writeln!(s, "  tm_args+=({})", bash_word(arg));
            }
        }
    }
    let trim = shell_quote(step.trim_prefix.as_deref().unwrap_or(""));
    match &step.output {
        Output::File { path, .. } => {
            let (dir, name) = match path.rsplit_once('/') {
                Some((dir, name)) => (format!("$TM_OUT/{dir}"), name),
                None => ("$TM_OUT".to_owned(), path.as_str()),
            };
            let _ = writeln!(s, "  mkdir -p \"{dir}\"");
            let partial = format!("\"{dir}/.{name}.partial\"");
            let _ = writeln!(s, "  if tm_exec {partial} \"${{tm_args[@]}}\"; then");
            let _ = writeln!(
                s,
                "    tm_keep {partial} \"{dir}/{name}\" {}",
                shell_quote(path)
            );
            s.push_str("  else\n");
            let _ = writeln!(s, "    rm -f {partial}");
            bash_unavailable(s, step);
            s.push_str("  fi\n");
        }
        Output::Values(names) => {
            s.push_str("  if tm_exec \"$TM_TMP/stdout\" \"${tm_args[@]}\"; then\n");
            let _ = writeln!(s, "    S_STATUS=ok\n    tm_read_lines {trim}");
            for (i, name) in names.iter().enumerate() {
                let _ = writeln!(s, "    V_{name}=\"${{TM_LINES[{i}]:-}}\"");
            }
            let mut sorted: Vec<&String> = names.iter().collect();
            sorted.sort();
            let entries: Vec<String> = sorted
                .iter()
                .map(|name| format!("\\\"{name}\\\": $(tm_json_opt \"$V_{name}\")"))
                .collect();
            let _ = writeln!(s, "    S_VALUES=\"{}\"", entries.join(", "));
            s.push_str("  else\n");
            bash_unavailable(s, step);
            s.push_str("  fi\n");
        }
        Output::List(name) => {
            s.push_str("  if tm_exec \"$TM_TMP/stdout\" \"${tm_args[@]}\"; then\n");
            let _ = writeln!(s, "    S_STATUS=ok\n    V_{name}=$(tm_read_list {trim})");
            let _ = writeln!(
                s,
                "    S_VALUES=\"\\\"{name}\\\": $(tm_json_lines \"$V_{name}\")\""
            );
            s.push_str("  else\n");
            bash_unavailable(s, step);
            s.push_str("  fi\n");
        }
    }
    s.push_str(if first { "}\n" } else { "fi\n" });
    if let (Some(other), Output::Values(names)) = (&step.otherwise, &step.output)
        && let [name] = names.as_slice()
    {
        let _ = writeln!(
            s,
            "if [ -z \"$V_{name}\" ] && [ -n \"$V_{other}\" ]; then\n  V_{name}=\"$V_{other}\"\n  tm_reason {}\nfi",
            shell_quote(&format!("{name} not found; using {other}"))
        );
    }
    s.push_str("tm_end\n");
}

fn bash_unavailable(s: &mut String, step: &Step) {
    match &step.unavailable_when {
        Some(text) => {
            let _ = writeln!(
                s,
                "    case \"$S_STDERR\" in *{}*) S_STATUS=unavailable; tm_reason {} ;; esac",
                shell_quote(text),
                shell_quote(&unavailable_reason(text))
            );
        }
        None => s.push_str("    :\n"),
    }
}

fn bash_warnings(s: &mut String, plan: &Plan) {
    for warning in &plan.warnings {
        let message: String = pieces(&warning.message)
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => shell_quote(text),
                Piece::Variable(name) => format!("\"$V_{name}\""),
            })
            .collect();
        let _ = writeln!(
            s,
            "\nif [ -n \"$V_{v}\" ] && [ -n \"$V_{c}\" ]; then\n  case \"$(tm_lower \"$V_{v}\")\" in\n    *\"$(tm_lower \"$V_{c}\")\"*) ;;\n    *) TM_WARNINGS+=({message}); printf 'warning: %s\\n' \"${{TM_WARNINGS[${{#TM_WARNINGS[@]}}-1]}}\" >&2 ;;\n  esac\nfi",
            v = warning.value,
            c = warning.contains,
        );
    }
}

fn bash_manifest(s: &mut String, plan: &Plan) {
    let context: Vec<String> = CONTEXT_VARIABLES
        .iter()
        .map(|name| format!("    \\\"{name}\\\": $(tm_json_opt \"$V_{name}\")"))
        .collect();
    let _ = write!(
        s,
        r#"
TM_FINISHED_AT=$(tm_now)
if [ ${{#TM_FAILURES[@]}} -eq 0 ]; then TM_OUTCOME=complete; else TM_OUTCOME=partial; fi
TM_FAILURES_JSON=''
for tm_item in ${{TM_FAILURES[@]+"${{TM_FAILURES[@]}}"}}; do TM_FAILURES_JSON="$TM_FAILURES_JSON${{TM_FAILURES_JSON:+, }}$(tm_json "$tm_item")"; done
TM_WARNINGS_JSON=''
for tm_item in ${{TM_WARNINGS[@]+"${{TM_WARNINGS[@]}}"}}; do TM_WARNINGS_JSON="$TM_WARNINGS_JSON${{TM_WARNINGS_JSON:+, }}$(tm_json "$tm_item")"; done
{{
  printf '{{\n'
  printf '  "{key}": {version},\n'
  printf '  "generator": %s,\n' "$(tm_json "tickmark collect --script bash {tickmark}")"
  printf '  "command_line": %s,\n' "$(tm_json "$TM_COMMAND_LINE")"
  printf '  "plan": {{\n    "id": %s,\n    "version": {plan_version}\n  }},\n' "$(tm_json {plan_id})"
  printf '  "parameters": {{\n    "subscription": %s,\n    "resource_group": %s,\n    "cluster": %s,\n    "kube_context": %s\n  }},\n' \
    "$(tm_json "$TM_P_SUBSCRIPTION")" "$(tm_json "$TM_P_RESOURCE_GROUP")" "$(tm_json "$TM_P_CLUSTER")" "$(tm_json_opt "$TM_P_KUBE_CONTEXT")"
  printf '  "context": {{\n%s\n  }},\n' "{context}"
  printf '  "tools": {{\n    "az": %s,\n    "kubectl": %s\n  }},\n' "$(tm_json_opt "$V_az_version")" "$(tm_json_opt "$V_kubectl_version")"
  printf '  "os_user": %s,\n' "$(tm_json "$(id -un 2>/dev/null || printf '%s' "${{USER:-unknown}}")")"
  printf '  "started_at": "%s",\n  "finished_at": "%s",\n' "$TM_STARTED_AT" "$TM_FINISHED_AT"
  printf '  "outcome": "%s",\n' "$TM_OUTCOME"
  printf '  "failures": [%s],\n' "$TM_FAILURES_JSON"
  printf '  "warnings": [%s],\n' "$TM_WARNINGS_JSON"
  printf '  "steps": [\n%s\n  ]\n' "$(tm_join ",$NL" ${{TM_STEPS[@]+"${{TM_STEPS[@]}}"}})"
  printf '}}\n'
}} > "$TM_OUT/{manifest}"
printf 'Wrote %s (%s)\n' "$TM_OUT/{manifest}" "$TM_OUTCOME" >&2
if [ "$TM_OUTCOME" = complete ]; then exit 0; else exit 2; fi
"#,
        key = crate::evidence::custody::MANIFEST_KEY,
        version = MANIFEST_VERSION,
        tickmark = env!("CARGO_PKG_VERSION"),
        plan_version = plan.version,
        plan_id = shell_quote(&plan.id),
        context = context.join(",$NL"),
        manifest = MANIFEST_FILE,
    );
}

// ---------------------------------------------------------------------------
// PowerShell
// ---------------------------------------------------------------------------

/// A PowerShell single-quoted string.
fn ps_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A PowerShell expression for `arg` with its variables.
fn ps_word(arg: &str) -> String {
    let parts: Vec<String> = pieces(arg)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => ps_quote(text),
            Piece::Variable(name) => format!("$V['{name}']"),
        })
        .collect();
    match parts.len() {
        0 => "''".into(),
        1 => parts.into_iter().next().unwrap_or_default(),
        _ => format!("({})", parts.join(" + ")),
    }
}

const PS_HELPERS: &str = r#"
$ErrorActionPreference = 'Stop'
$TmSteps = [System.Collections.Generic.List[object]]::new()
$TmFailures = [System.Collections.Generic.List[string]]::new()
$TmWarnings = [System.Collections.Generic.List[string]]::new()
$TmTmp = Join-Path ([System.IO.Path]::GetTempPath()) ("tickmark-" + [guid]::NewGuid())
New-Item -ItemType Directory -Path $TmTmp | Out-Null

function Get-TmNow { (Get-Date).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ") }

# One word as a POSIX shell reads it (as Tickmark records commands).
function Format-TmWord([string]$Word) {
    if ($Word -eq '') { return "''" }
    if ($Word -cmatch '^[A-Za-z0-9_./:=@%+,-]+$') { return $Word }
    return "'" + $Word.Replace("'", "'\''") + "'"
}

function Set-TmReason($S, [string]$Text) {
    if ($S.Contains('reason')) { $S['reason'] = $S['reason'] + '; ' + $Text } else { $S['reason'] = $Text }
}

# Runs a tool with the time limit, its output into $OutFile.
function Invoke-TmStep($S, [string]$Tool, [string[]]$Arguments, [string]$OutFile) {
    $S['command'] = (@($Tool) + $Arguments | ForEach-Object { Format-TmWord $_ }) -join ' '
    $S['started_at'] = Get-TmNow
    $program = Get-Command $Tool -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $program) {
        $S['finished_at'] = Get-TmNow
        $S['exit_code'] = 127
        $S['status'] = 'failed'
        $S['stderr'] = "${Tool}: command not found"
        return $false
    }
    $psi = [System.Diagnostics.ProcessStartInfo]::new($program.Source)
    foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.RedirectStandardInput = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $process.StandardInput.Close()
    $out = [System.IO.File]::Create($OutFile)
    $copy = $process.StandardOutput.BaseStream.CopyToAsync($out)
    $err = $process.StandardError.ReadToEndAsync()
    $finished = $process.WaitForExit($TmTimeout * 1000)
    if (-not $finished) { $process.Kill($true); $process.WaitForExit() }
    $copy.Wait(); $out.Close()
    $S['finished_at'] = Get-TmNow
    $stderr = $err.Result.TrimEnd()
    if ($finished -and $process.ExitCode -eq 0) { $S['exit_code'] = 0; return $true }
    if ($finished) {
        $S['exit_code'] = $process.ExitCode
        $S['status'] = 'failed'
    } else {
        $S['status'] = 'timed_out'
        $note = "stopped after $TmTimeout s, the time limit"
        $stderr = if ($stderr) { "$stderr`n$note" } else { $note }
    }
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($stderr)
    if ($bytes.Length -gt $TmMaxStderr) { $stderr = [System.Text.Encoding]::UTF8.GetString($bytes, 0, $TmMaxStderr).TrimEnd([char]0xFFFD) }
    $S['stderr'] = $stderr
    return $false
}

function Read-TmLines([string]$Prefix) {
    $text = [System.IO.File]::ReadAllText((Join-Path $TmTmp 'stdout'))
    $lines = @($text -split "`n")
    if ($lines.Count -gt 0 -and $lines[-1] -eq '') { $lines = $lines[0..($lines.Count - 2)] }
    return @($lines | ForEach-Object {
        $line = $_.Trim()
        if ($Prefix -and $line.StartsWith($Prefix)) { $line = $line.Substring($Prefix.Length).Trim() }
        $line
    })
}

function Save-TmFile($S, [string]$Partial, [string]$Target, [string]$Shown) {
    $item = Get-Item -LiteralPath $Partial
    if ($item.Length -le 64) {
        $squeezed = ([System.IO.File]::ReadAllText($Partial)) -replace '\s', ''
        if ($squeezed -eq '[]' -or $squeezed -eq '{"value":[]}') {
            Remove-Item -LiteralPath $Partial
            $S['status'] = 'empty'
            Set-TmReason $S $TmEmptyReason
            return
        }
    }
    Move-Item -LiteralPath $Partial -Destination $Target -Force
    $S['status'] = 'ok'
    $S['file'] = $Shown
    $S['sha256'] = (Get-FileHash -Algorithm SHA256 -LiteralPath $Target).Hash.ToLowerInvariant()
    $S['size'] = $item.Length
}

function Complete-TmStep($S) {
    $ordered = [ordered]@{}
    foreach ($key in 'id', 'tool', 'command', 'status', 'started_at', 'finished_at', 'exit_code', 'file', 'sha256', 'size', 'values', 'stderr', 'reason') {
        if ($S.Contains($key)) { $ordered[$key] = $S[$key] }
    }
    $TmSteps.Add($ordered)
    if ($S['status'] -in 'failed', 'timed_out') { $TmFailures.Add($S['id']) }
    [Console]::Error.WriteLine("        " + $S['status'] + $(if ($S.Contains('file')) { ' ' + $S['file'] } else { '' }))
    if ($S.Contains('stderr')) { [Console]::Error.WriteLine(($S['stderr'] -split "`n" | ForEach-Object { "        | $_" }) -join "`n") }
}

function New-TmStep([string]$Id, [string]$Tool, [int]$Index, [string]$Title) {
    [Console]::Error.WriteLine(('[{0,2}/{1}] {2}' -f $Index, $TmTotal, $Title))
    return [ordered]@{ id = $Id; tool = $Tool; status = 'skipped' }
}

function Test-TmSet([string]$Name) { return [bool]$V[$Name] }
"#;

fn powershell(plan: &Plan, options: &ScriptOptions<'_>) -> String {
    let target = options.target;
    let mut s = String::new();
    s.push_str("#Requires -Version 7\n");
    s.push_str(&header_comment(
        plan,
        "# ",
        "pwsh collect.ps1 [-Out OUTPUT-FOLDER]",
    ));
    let _ = writeln!(s, "\nparam([string]$Out = {})\n", ps_quote(options.out));
    let _ = writeln!(s, "$TmTimeout = {}", options.timeout_seconds);
    let _ = writeln!(s, "$TmMaxStderr = {MAX_STDERR_BYTES}");
    let _ = writeln!(s, "$TmCommandLine = {}", ps_quote(options.command_line));
    let _ = writeln!(s, "$TmEmptyReason = {}", ps_quote(EMPTY_REASON));
    let _ = writeln!(s, "$TmTotal = {}", collected_steps(plan).len());
    s.push_str("\n# The cluster, and every value the steps find.\n$V = @{}\n");
    for (name, value) in initial_values(plan, target) {
        let _ = writeln!(s, "$V['{name}'] = {}", ps_quote(&value));
    }
    s.push_str(PS_HELPERS);
    s.push_str(
        r#"
if ((Test-Path -LiteralPath $Out) -and (Get-ChildItem -LiteralPath $Out -Force | Select-Object -First 1)) {
    [Console]::Error.WriteLine("${Out}: the folder is not empty; collect into a new or empty folder, so that old and new evidence do not mix")
    exit 2
}
New-Item -ItemType Directory -Force -Path $Out | Out-Null
$TmStartedAt = Get-TmNow
"#,
    );
    for (index, step) in collected_steps(plan).into_iter().enumerate() {
        powershell_step(&mut s, plan, step, index + 1);
    }
    for warning in &plan.warnings {
        let message: Vec<String> = pieces(&warning.message)
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => ps_quote(text),
                Piece::Variable(name) => format!("$V['{name}']"),
            })
            .collect();
        let _ = writeln!(
            s,
            "\nif ((Test-TmSet '{v}') -and (Test-TmSet '{c}') -and -not $V['{v}'].ToLowerInvariant().Contains($V['{c}'].ToLowerInvariant())) {{\n    $TmWarnings.Add(({message}))\n    [Console]::Error.WriteLine('warning: ' + $TmWarnings[-1])\n}}",
            v = warning.value,
            c = warning.contains,
            message = message.join(" + "),
        );
    }
    let context: Vec<String> = CONTEXT_VARIABLES
        .iter()
        .map(|name| format!("        {name} = Get-TmOptional '{name}'"))
        .collect();
    let _ = write!(
        s,
        r#"
function Get-TmOptional([string]$Name) {{ if ($V[$Name]) {{ return $V[$Name] }} return $null }}
$manifest = [ordered]@{{
    {key} = {version}
    generator = 'tickmark collect --script powershell {tickmark}'
    command_line = $TmCommandLine
    plan = [ordered]@{{ id = {plan_id}; version = {plan_version} }}
    parameters = [ordered]@{{
        subscription = {subscription}
        resource_group = {resource_group}
        cluster = {cluster}
        kube_context = {kube_context}
    }}
    context = [ordered]@{{
{context}
    }}
    tools = [ordered]@{{ az = Get-TmOptional 'az_version'; kubectl = Get-TmOptional 'kubectl_version' }}
    os_user = [Environment]::UserName
    started_at = $TmStartedAt
    finished_at = Get-TmNow
    outcome = $(if ($TmFailures.Count -eq 0) {{ 'complete' }} else {{ 'partial' }})
    failures = @($TmFailures)
    warnings = @($TmWarnings)
    steps = @($TmSteps)
}}
$manifest | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath (Join-Path $Out '{manifest}') -Encoding utf8NoBOM
Remove-Item -Recurse -Force -LiteralPath $TmTmp
[Console]::Error.WriteLine("Wrote " + (Join-Path $Out '{manifest}') + " (" + $manifest.outcome + ")")
if ($TmFailures.Count -eq 0) {{ exit 0 }} else {{ exit 2 }}
"#,
        key = crate::evidence::custody::MANIFEST_KEY,
        version = MANIFEST_VERSION,
        tickmark = env!("CARGO_PKG_VERSION"),
        plan_id = ps_quote(&plan.id),
        plan_version = plan.version,
        subscription = ps_quote(&target.subscription),
        resource_group = ps_quote(&target.resource_group),
        cluster = ps_quote(&target.cluster),
        kube_context = target
            .kube_context
            .as_deref()
            .map_or("$null".to_owned(), ps_quote),
        context = context.join("\n"),
        manifest = MANIFEST_FILE,
    );
    s
}

fn powershell_step(s: &mut String, plan: &Plan, step: &Step, index: usize) {
    let _ = writeln!(s, "\n# {}: {}", step.id, step.title);
    let _ = writeln!(
        s,
        "$S = New-TmStep {} {} {index} {}",
        ps_quote(&step.id),
        ps_quote(&step.tool),
        ps_quote(&step.title)
    );
    let mut conditions: Vec<(String, String)> = Vec::new();
    if let Some(name) = &step.unless {
        conditions.push((format!("Test-TmSet '{name}'"), format!("{name} was given")));
    }
    for name in step.variables() {
        let reason = missing_reason(plan, name);
        conditions.push((format!("-not (Test-TmSet '{name}')"), reason));
    }
    for (i, (condition, reason)) in conditions.iter().enumerate() {
        let keyword = if i == 0 { "if" } else { "} elseif" };
        let _ = writeln!(
            s,
            "{keyword} ({condition}) {{\n    Set-TmReason $S {}",
            ps_quote(reason)
        );
    }
    s.push_str(if conditions.is_empty() {
        "& {\n"
    } else {
        "} else {\n"
    });
    s.push_str("    $a = [System.Collections.Generic.List[string]]::new()\n");
    for arg in &step.args {
        match pieces(arg).as_slice() {
            [Piece::Variable(name)] if plan.is_list(name) => {
                let _ = writeln!(
                    s,
                    "    foreach ($v in ($V['{name}'] -split \"`n\")) {{ if ($v) {{ $a.Add($v) }} }}"
                );
            }
            _ => {
                let _ = writeln!(s, "    $a.Add({})", ps_word(arg));
            }
        }
    }
    let trim = ps_quote(step.trim_prefix.as_deref().unwrap_or(""));
    let unavailable = match &step.unavailable_when {
        Some(text) => format!(
            "        if ($S['stderr'].Contains({})) {{ $S['status'] = 'unavailable'; Set-TmReason $S {} }}\n",
            ps_quote(text),
            ps_quote(&unavailable_reason(text))
        ),
        None => String::new(),
    };
    match &step.output {
        Output::File { path, .. } => {
            let (dir, name) = match path.rsplit_once('/') {
                Some((dir, name)) => (dir, name),
                None => ("", path.as_str()),
            };
            let _ = writeln!(
                s,
                "    $dir = Join-Path $Out {}\n    New-Item -ItemType Directory -Force -Path $dir | Out-Null\n    $partial = Join-Path $dir {}",
                ps_quote(dir),
                ps_quote(&format!(".{name}.partial"))
            );
            let _ = writeln!(
                s,
                "    if (Invoke-TmStep $S {} $a $partial) {{\n        Save-TmFile $S $partial (Join-Path $dir {}) {}\n    }} else {{\n        Remove-Item -LiteralPath $partial -ErrorAction SilentlyContinue\n{unavailable}    }}",
                ps_quote(&step.tool),
                ps_quote(name),
                ps_quote(path)
            );
        }
        Output::Values(names) => {
            let _ = writeln!(
                s,
                "    if (Invoke-TmStep $S {} $a (Join-Path $TmTmp 'stdout')) {{\n        $S['status'] = 'ok'\n        $lines = @(Read-TmLines {trim})",
                ps_quote(&step.tool)
            );
            for (i, name) in names.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "        $V['{name}'] = if ($lines.Count -gt {i}) {{ $lines[{i}] }} else {{ '' }}"
                );
            }
            let mut sorted: Vec<&String> = names.iter().collect();
            sorted.sort();
            let entries: Vec<String> = sorted
                .iter()
                .map(|name| format!("{name} = Get-TmOptional '{name}'"))
                .collect();
            let _ = writeln!(
                s,
                "        $S['values'] = [ordered]@{{ {} }}\n    }} else {{\n{unavailable}    }}",
                entries.join("; ")
            );
        }
        Output::List(name) => {
            let _ = writeln!(
                s,
                "    if (Invoke-TmStep $S {} $a (Join-Path $TmTmp 'stdout')) {{\n        $S['status'] = 'ok'\n        $list = [System.Collections.Generic.List[string]]::new()\n        foreach ($line in (Read-TmLines {trim})) {{ if ($line -and -not $list.Contains($line)) {{ $list.Add($line) }} }}\n        $V['{name}'] = $list -join \"`n\"\n        $S['values'] = [ordered]@{{ {name} = @($list) }}\n    }} else {{\n{unavailable}    }}",
                ps_quote(&step.tool)
            );
        }
    }
    s.push_str("}\n");
    if let (Some(other), Output::Values(names)) = (&step.otherwise, &step.output)
        && let [name] = names.as_slice()
    {
        let _ = writeln!(
            s,
            "if (-not (Test-TmSet '{name}') -and (Test-TmSet '{other}')) {{\n    $V['{name}'] = $V['{other}']\n    Set-TmReason $S {}\n}}",
            ps_quote(&format!("{name} not found; using {other}"))
        );
    }
    s.push_str("Complete-TmStep $S\n");
}
