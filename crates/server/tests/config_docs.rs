//! `docs/configuration.md` must say what the code does: its settings table is compared cell by
//! cell with [`Settings::FIELDS`] and [`SERVER_FIELDS`], its preset table with [`Preset::values`],
//! and its TOML example is loaded. A failure prints the table the code implies, ready to paste.

use std::io::Write;

use storeboard::cli::negated_flag;
use storeboard::config::{load, ServerSettings, SERVER_FIELDS};
use storeboard_engine::{Kind, Preset, Settings};

const SETTINGS_HEADER: &str = "| setting | flag | env var | TOML key | default | meaning |";
const COLUMNS: [&str; 6] = [
    "setting", "flag", "env var", "TOML key", "default", "meaning",
];
const PRESETS_HEADER: &str = "| preset | threads | connection_limit |";
/// The TOML key cell of a setting a file cannot set.
const NO_TOML_KEY: &str = "—";

fn docs() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/configuration.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn code(text: &str) -> String {
    format!("`{text}`")
}

/// Doc comments joined into one line, as the CLI shows them.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The settings table's rows as the code implies them: engine settings in declaration order,
/// then the server's own. Units go at the end of the meaning (`In seconds.`); the default cell
/// is exactly [`ServerSettings::get`] in backticks.
fn expected_rows() -> Vec<Vec<String>> {
    let defaults = ServerSettings::default();
    let default_of = |key: &str| code(&defaults.get(key).expect("every setting has a default"));
    let engine = Settings::FIELDS.iter().map(|spec| {
        let flag = match spec.kind {
            Kind::Bool => format!("{} / {}", code(&spec.flag()), code(&negated_flag(spec))),
            _ => code(&spec.flag()),
        };
        let mut meaning = one_line(spec.help);
        if !spec.unit.is_empty() {
            meaning.push_str(&format!(" In {}.", spec.unit));
        }
        let cells = [
            spec.key.to_owned(),
            flag,
            code(&spec.env_var()),
            code(spec.key),
            default_of(spec.key),
            meaning,
        ];
        cells.to_vec()
    });
    let server = SERVER_FIELDS.iter().map(|spec| {
        let toml_key = spec.toml_key().map_or_else(|| NO_TOML_KEY.to_owned(), code);
        let cells = [
            spec.key.to_owned(),
            code(&spec.flag()),
            code(&spec.env_var()),
            toml_key,
            default_of(spec.key),
            spec.help.to_owned(),
        ];
        cells.to_vec()
    });
    engine.chain(server).collect()
}

fn render(rows: &[Vec<String>]) -> String {
    let mut out = format!("{SETTINGS_HEADER}\n|---|---|---|---|---|---|\n");
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// The cells of a markdown table row; `\|` is a pipe inside a cell.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => cells
                .last_mut()
                .expect("one cell")
                .push(chars.next().expect("peeked")),
            '|' => cells.push(String::new()),
            c => cells.last_mut().expect("one cell").push(c),
        }
    }
    cells.iter().map(|c| c.trim().to_owned()).collect()
}

/// The body rows of the one table whose header line is `header`.
fn table(doc: &str, header: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = doc.lines().collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim() == header)
        .collect();
    assert_eq!(
        starts.len(),
        1,
        "docs/configuration.md needs exactly one table headed `{header}`"
    );
    let body = lines[starts[0] + 1..].iter().skip(1); // the `|---|` line
    body.take_while(|l| l.trim_start().starts_with('|'))
        .map(|l| cells(l))
        .collect()
}

#[test]
fn configuration_docs_table_matches_the_code() {
    let expected = expected_rows();
    let found = table(&docs(), SETTINGS_HEADER);
    let mut problems = Vec::new();
    for row in &found {
        if row.len() != COLUMNS.len() {
            problems.push(format!(
                "row {:?} has {} cells, not {}",
                row,
                row.len(),
                COLUMNS.len()
            ));
            continue;
        }
        match expected.iter().find(|e| e[0] == row[0]) {
            None => problems.push(format!("row `{}` names no setting", row[0])),
            Some(want) => {
                for ((column, got), want) in COLUMNS.iter().zip(row).zip(want).skip(1) {
                    if got != want {
                        problems.push(format!(
                            "{}: {column} is {got:?}, the code says {want:?}",
                            row[0]
                        ));
                    }
                }
            }
        }
    }
    for want in &expected {
        match found.iter().filter(|r| r.first() == Some(&want[0])).count() {
            0 => problems.push(format!("setting `{}` is missing from the table", want[0])),
            1 => {}
            n => problems.push(format!("setting `{}` has {n} rows", want[0])),
        }
    }
    let order: Vec<&String> = found.iter().filter_map(|r| r.first()).collect();
    let want_order: Vec<&String> = expected.iter().map(|r| &r[0]).collect();
    if problems.is_empty() && order != want_order {
        problems.push(format!(
            "rows are in the order {order:?}, the code's is {want_order:?}"
        ));
    }
    assert!(
        problems.is_empty(),
        "docs/configuration.md disagrees with the code:\n- {}\n\nThe table the code implies:\n\n{}",
        problems.join("\n- "),
        render(&expected)
    );
}

#[test]
fn configuration_docs_preset_table_matches_the_code() {
    let found = table(&docs(), PRESETS_HEADER);
    let expected: Vec<Vec<String>> = Preset::ALL
        .iter()
        .map(|p| {
            let (threads, limit) = p.values();
            vec![code(p.name()), threads.to_string(), limit.to_string()]
        })
        .collect();
    assert_eq!(
        found, expected,
        "the presets table in docs/configuration.md"
    );
}

#[test]
fn configuration_docs_toml_example_loads() {
    let doc = docs();
    let start = doc.find("```toml\n").expect("a ```toml example") + "```toml\n".len();
    let example = &doc[start..start + doc[start..].find("```").expect("the example's end")];
    assert!(
        example.contains("[business]"),
        "the example shows the reserved [business] table"
    );
    let mut file = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("temp file");
    file.write_all(example.as_bytes()).expect("write temp file");
    let args = [
        "storeboard".into(),
        "--config".into(),
        file.path().as_os_str().to_owned(),
    ];
    let loaded = load(args, &|_| None).unwrap_or_else(|e| panic!("the docs' TOML example: {e}"));
    assert_ne!(
        loaded.engine,
        Settings::default(),
        "the example changes something"
    );
}
