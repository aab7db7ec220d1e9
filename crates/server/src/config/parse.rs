//! The parse budget's settings (issue 16): how large an uploaded sheet, workbook or CSV line may
//! be, and how many `.xls`/`.ods` files are parsed at once. Their defaults are defined next to
//! the code that enforces them (`storeboard_data::limits`, `storeboard_upload`).

use storeboard_data::limits::{self as data, ParseLimits};
use storeboard_upload::{DEFAULT_MAX_XLS_ODS_PARSES, MAX_XLS_ODS_PARSES};

use super::{ConfigError, Given, ServerSettingSpec};

/// The values of the parse settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseSettings {
    /// Sheet, workbook and CSV limits, handed to every parse.
    pub limits: ParseLimits,
    /// `.xls`/`.ods` files parsed at once.
    pub max_xls_ods_parses: usize,
}

impl Default for ParseSettings {
    fn default() -> Self {
        Self {
            limits: ParseLimits::default(),
            max_xls_ods_parses: DEFAULT_MAX_XLS_ODS_PARSES,
        }
    }
}

pub(crate) const MAX_SHEET_CELLS_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: data::MAX_SHEET_CELLS,
    value_name: "CELLS",
    in_toml: true,
    help: "Largest sheet an upload may have, in cells (rows × columns, from its first to its last non-empty cell, or as its dimension record declares): a larger one is refused with 413 before it is read. The default is a full Excel sheet of 40 columns.",
};

pub(crate) const MAX_XLS_ODS_CELLS_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: data::MAX_XLS_ODS_CELLS,
    value_name: "CELLS",
    in_toml: true,
    help: "Largest `.xls` or `.ods` upload, in cells of all its sheets together (these formats are read whole into memory, about 100 bytes a cell; `.xlsx` and `.csv` are streamed): a larger one is refused with 413 before it is read. The default is a full `.xls` sheet (65,536 rows) of 40 columns.",
};

pub(crate) const MAX_XLS_ODS_PARSES_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: MAX_XLS_ODS_PARSES,
    value_name: "N",
    in_toml: true,
    help: "How many `.xls`/`.ods` uploads are parsed at once; the others wait their turn.",
};

pub(crate) const MAX_CSV_FIELD_BYTES_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: data::MAX_CSV_FIELD_BYTES,
    value_name: "BYTES",
    in_toml: true,
    help: "Longest field of a CSV upload, in bytes: a longer one is refused with 413. The default holds Excel's longest cell (32,767 characters).",
};

pub(crate) const MAX_CSV_RECORD_BYTES_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: data::MAX_CSV_RECORD_BYTES,
    value_name: "BYTES",
    in_toml: true,
    help: "Longest record (line) of a CSV upload, in bytes: a longer one is refused with 413.",
};

/// The parse settings, in the order `--help` and the docs list them.
pub(crate) const PARSE_FIELDS: [ServerSettingSpec; 5] = [
    MAX_SHEET_CELLS_SPEC,
    MAX_XLS_ODS_CELLS_SPEC,
    MAX_XLS_ODS_PARSES_SPEC,
    MAX_CSV_FIELD_BYTES_SPEC,
    MAX_CSV_RECORD_BYTES_SPEC,
];

/// The spec of a parse setting named `key`.
pub(crate) fn spec(key: &str) -> Option<&'static ServerSettingSpec> {
    PARSE_FIELDS.iter().find(|s| s.key == key)
}

impl ParseSettings {
    /// The textual form of one parse setting (`None` for another key).
    pub fn get(&self, key: &str) -> Option<String> {
        let l = &self.limits;
        Some(match spec(key)?.key {
            data::MAX_SHEET_CELLS => l.max_sheet_cells.to_string(),
            data::MAX_XLS_ODS_CELLS => l.max_xls_ods_cells.to_string(),
            data::MAX_CSV_FIELD_BYTES => l.max_csv_field_bytes.to_string(),
            data::MAX_CSV_RECORD_BYTES => l.max_csv_record_bytes.to_string(),
            _ => self.max_xls_ods_parses.to_string(),
        })
    }

    /// Sets one parse setting from its text: a whole number of at least 1.
    pub(crate) fn set(&mut self, given: &Given) -> Result<(), ConfigError> {
        let invalid = || ConfigError::InvalidValue {
            key: given.key.to_owned(),
            value: given.raw.clone(),
            origin: given.origin.clone(),
            expected: "a whole number of at least 1".to_owned(),
        };
        let n: u64 = given.raw.trim().parse().map_err(|_| invalid())?;
        let size = usize::try_from(n).map_err(|_| invalid())?;
        if n == 0 {
            return Err(invalid());
        }
        let l = &mut self.limits;
        match given.key {
            data::MAX_SHEET_CELLS => l.max_sheet_cells = n,
            data::MAX_XLS_ODS_CELLS => l.max_xls_ods_cells = n,
            data::MAX_CSV_FIELD_BYTES => l.max_csv_field_bytes = size,
            data::MAX_CSV_RECORD_BYTES => l.max_csv_record_bytes = size,
            _ => self.max_xls_ods_parses = size,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{load_with, path_of, toml_file};
    use super::*;

    #[test]
    fn parse_limits_come_from_flag_env_and_file_and_default_to_the_documented_values() {
        let s = load_with(&[], &[]).expect("defaults");
        assert_eq!(s.parse, ParseSettings::default());
        assert_eq!(s.get("max_sheet_cells").as_deref(), Some("41943040"));
        assert_eq!(s.get("max_xls_ods_parses").as_deref(), Some("1"));
        let file = toml_file("max_xls_ods_cells = 1000\nmax_csv_field_bytes = 10\n");
        let s = load_with(
            &["--config", path_of(&file), "--max-csv-field-bytes", "20"],
            &[("STOREBOARD_MAX_XLS_ODS_PARSES", "3")],
        )
        .expect("loads");
        assert_eq!(s.parse.limits.max_xls_ods_cells, 1000);
        assert_eq!(s.parse.limits.max_csv_field_bytes, 20, "flag beats file");
        assert_eq!(s.parse.max_xls_ods_parses, 3);
    }

    #[test]
    fn a_parse_limit_of_zero_or_text_names_the_setting_and_its_source() {
        let err = load_with(&["--max-xls-ods-parses", "0"], &[]).expect_err("zero");
        assert_eq!(
            err.to_string(),
            "invalid value '0' for max_xls_ods_parses (from --max-xls-ods-parses): \
             expected a whole number of at least 1"
        );
        let err = load_with(&[], &[("STOREBOARD_MAX_SHEET_CELLS", "many")]).expect_err("text");
        assert!(
            err.to_string().contains("STOREBOARD_MAX_SHEET_CELLS"),
            "{err}"
        );
    }
}
