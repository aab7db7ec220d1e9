//! Which files of the folder are imported, and the names a finished file takes in `done/` or
//! `failed/` without overwriting an earlier one.

use std::path::Path;

use storeboard_data::read::Format;

/// The sub-folder of imported files (and of files imported before: same SHA-256).
pub const DONE: &str = "done";
/// The sub-folder of refused files, each with its `NAME.report.json`.
pub const FAILED: &str = "failed";
/// Where a file waits while it is imported: what is found here at a start was interrupted, and
/// is imported again. Hidden (a dot), so Explorer users do not touch it by accident.
pub const IMPORTING: &str = ".importing";
/// Appended to a file's name for its report.
pub const REPORT_SUFFIX: &str = ".report.json";

/// Whether a file named `name` is to be imported: of a type the upload accepts
/// (`.xlsx .xlsm .xlsb .xls .ods .csv`), and neither Excel's lock file of an open workbook
/// (`~$…`) nor hidden (`.…`, which also covers the partial files of most copy tools). Other
/// files are left where they are: a browser's `.crdownload` becomes a candidate only once it is
/// renamed to its real name.
pub fn is_candidate(name: &str) -> bool {
    !name.starts_with("~$") && !name.starts_with('.') && Format::from_name(name).is_ok()
}

/// A name in `dir` for a file called `name` that holds neither a file nor a report yet:
/// `name` itself, else `stem (2).ext`, `stem (3).ext`…
pub fn free_name(dir: &Path, name: &str) -> String {
    let taken = |candidate: &str| {
        dir.join(candidate).exists() || dir.join(format!("{candidate}{REPORT_SUFFIX}")).exists()
    };
    if !taken(name) {
        return name.to_owned();
    }
    let (stem, ext) = split_extension(name);
    let mut n = 2u64;
    loop {
        let candidate = format!("{stem} ({n}){ext}");
        if !taken(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

/// `orders.xlsx` → (`orders`, `.xlsx`); a name without a dot (or only a leading one) has no
/// extension.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if dot > 0 => name.split_at(dot),
        _ => (name, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_files_hidden_files_and_other_types_are_not_candidates() {
        for name in [
            "订单.xlsx",
            "a.XLSX",
            "b.xls",
            "c.csv",
            "d.xlsm",
            "e.xlsb",
            "f.ods",
        ] {
            assert!(is_candidate(name), "{name}");
        }
        for name in [
            "~$订单.xlsx",
            ".hidden.xlsx",
            ".~lock.a.csv#",
            "notes.txt",
            "orders.xlsx.crdownload",
            "orders.xlsx.part",
            "README",
            "",
        ] {
            assert!(!is_candidate(name), "{name}");
        }
    }

    #[test]
    fn a_clash_gets_the_first_free_numbered_name_counting_reports_too() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(free_name(dir.path(), "a.xlsx"), "a.xlsx");
        std::fs::write(dir.path().join("a.xlsx"), b"x").expect("written");
        assert_eq!(free_name(dir.path(), "a.xlsx"), "a (2).xlsx");
        // Only the report of `a (2).xlsx` is left (its file was moved away): still taken.
        std::fs::write(dir.path().join("a (2).xlsx.report.json"), b"{}").expect("written");
        assert_eq!(free_name(dir.path(), "a.xlsx"), "a (3).xlsx");
        std::fs::write(dir.path().join("README"), b"x").expect("written");
        assert_eq!(free_name(dir.path(), "README"), "README (2)");
        assert_eq!(free_name(dir.path(), "x.tar.csv"), "x.tar.csv");
    }
}
