//! Checks the fast `.xlsx` reader against calamine's on real files: the first sheet of each file
//! is read by both (`read_rows`, then `read_rows_with_calamine`), every row hashed as it streams
//! by and compared, each read timed.
//!
//! ```sh
//! cargo run --release -p storeboard-data --example xlsx_equiv -- FILE.xlsx [FILE2 ...]
//! ```
//!
//! For each file: rows, cells, wall (and CPU) seconds of each reader, their ratio, and
//! `identical` or the first differing row with both renderings (read again, that row only).
//! Exits with 1 when any file differs or fails to read. Both reads hash every cell in `on_row`,
//! the same work for each, so the times include it. The file is read into memory first: no disk
//! time in either.

use std::hash::{BuildHasher, Hash, Hasher};
use std::io::Cursor;
use std::ops::ControlFlow;
use std::process::ExitCode;
use std::time::Instant;

use storeboard_data::cell::Cell;
use storeboard_data::limits::ParseLimits;
use storeboard_data::read::{read_rows, read_rows_with_calamine};

#[path = "common/cpu.rs"]
mod cpu;
use cpu::{cpu_seconds, since};

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: xlsx_equiv FILE.xlsx [FILE2 ...]");
        return ExitCode::from(2);
    }
    let mut all_same = true;
    for file in &files {
        match check(file) {
            Ok(same) => all_same &= same,
            Err(err) => {
                println!("{file}: {err}");
                all_same = false;
            }
        }
    }
    if all_same {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Which reader.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reader {
    Fast,
    Calamine,
}

impl Reader {
    fn read(
        self,
        bytes: &[u8],
        file: &str,
        on_row: impl FnMut(u32, &[Cell<'_>]) -> ControlFlow<()> + Send,
    ) -> Result<String, String> {
        let limits = ParseLimits::default();
        let read = match self {
            Reader::Fast => read_rows(Cursor::new(bytes), file, None, &limits, on_row),
            Reader::Calamine => {
                read_rows_with_calamine(Cursor::new(bytes), file, None, &limits, on_row)
            }
        };
        read.map_err(|e| format!("[{}] {e}", e.code()))
    }
}

/// Reads `path` with both readers and prints how they compare; `Ok(true)` when identical.
fn check(path: &str) -> Result<bool, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let name = std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned());

    // calamine first: its row numbers and hashes are the reference.
    let mut reference: Vec<(u32, u64)> = Vec::new();
    let mut calamine_cells = 0u64;
    let started = (Instant::now(), cpu_seconds());
    let calamine_sheet = Reader::Calamine.read(&bytes, &name, |row, cells| {
        calamine_cells += cells.len() as u64;
        reference.push((row, row_hash(cells)));
        ControlFlow::Continue(())
    });
    let calamine_time = since(started);

    // Then the fast reader, compared row by row as it goes.
    let mut at = 0usize;
    let mut fast_cells = 0u64;
    let mut first_difference: Option<usize> = None;
    let started = (Instant::now(), cpu_seconds());
    let fast_sheet = Reader::Fast.read(&bytes, &name, |row, cells| {
        fast_cells += cells.len() as u64;
        if first_difference.is_none() && reference.get(at) != Some(&(row, row_hash(cells))) {
            first_difference = Some(at);
        }
        at += 1;
        ControlFlow::Continue(())
    });
    let fast_time = since(started);
    let fast_rows = at;

    println!("{path}");
    println!(
        "  rows      fast {fast_rows:>10}  calamine {:>10}",
        reference.len()
    );
    println!("  cells     fast {fast_cells:>10}  calamine {calamine_cells:>10}");
    println!(
        "  seconds   fast {:>6.2} wall {:>6.2} CPU  calamine {:>6.2} wall {:>6.2} CPU",
        fast_time.0, fast_time.1, calamine_time.0, calamine_time.1
    );
    let cpu_ratio = match calamine_time.1 >= 0.01 {
        true => format!("{:.3}", fast_time.1 / calamine_time.1),
        false => "n/a".to_owned(),
    };
    println!(
        "  ratio     fast/calamine {:.3} wall {cpu_ratio} CPU  (calamine/fast {:.2}× wall)",
        fast_time.0 / calamine_time.0.max(1e-9),
        calamine_time.0 / fast_time.0.max(1e-9)
    );

    let (fast_sheet, calamine_sheet) = match (fast_sheet, calamine_sheet) {
        (Ok(f), Ok(c)) => (f, c),
        (Err(f), Err(c)) if code(&f) == code(&c) => {
            println!("  both fail alike: fast {f}; calamine {c}");
            return Ok(true);
        }
        (f, c) => {
            println!("  DIFFERENT outcome: fast {f:?}, calamine {c:?}");
            return Ok(false);
        }
    };
    if fast_sheet != calamine_sheet {
        println!("  DIFFERENT sheet: fast {fast_sheet:?}, calamine {calamine_sheet:?}");
        return Ok(false);
    }
    let index = match first_difference {
        Some(i) => i,
        None if fast_rows != reference.len() => fast_rows.min(reference.len()),
        None => {
            println!("  identical (sheet {fast_sheet:?})");
            return Ok(true);
        }
    };
    println!("  DIFFERENT from row #{index} on (0-based position in the stream):");
    for reader in [Reader::Fast, Reader::Calamine] {
        let label = if reader == Reader::Fast {
            "fast    "
        } else {
            "calamine"
        };
        match rendering_at(reader, &bytes, &name, index)? {
            Some((row, cells)) => {
                println!("    {label} row {row} ({} cells):", cells.len());
                for (c, cell) in cells.iter().enumerate() {
                    println!("      {c:>3} {cell}");
                }
            }
            None => println!("    {label} has no row #{index}"),
        }
    }
    Ok(false)
}

/// The `[code]` an error message of [`Reader::read`] starts with.
fn code(err: &str) -> &str {
    err.split_once(']').map_or(err, |(code, _)| code)
}

/// The `index`-th row `reader` hands over (its Excel row number and each cell as `{cell:?}`),
/// the read stopped right after it.
fn rendering_at(
    reader: Reader,
    bytes: &[u8],
    name: &str,
    index: usize,
) -> Result<Option<(u32, Vec<String>)>, String> {
    let mut seen = 0usize;
    let mut found = None;
    let read = reader.read(bytes, name, |row, cells| {
        if seen == index {
            found = Some((row, cells.iter().map(|c| format!("{c:?}")).collect()));
            return ControlFlow::Break(());
        }
        seen += 1;
        ControlFlow::Continue(())
    });
    match (read, found) {
        (_, Some(found)) => Ok(Some(found)),
        (Ok(_), None) => Ok(None),
        (Err(err), None) => Err(err),
    }
}

/// A hash of a row's cells: each cell's kind and exact value (floats by their bits), the same
/// distinctions `{cell:?}` makes.
fn row_hash(cells: &[Cell<'_>]) -> u64 {
    let mut h = foldhash::quality::FixedState::with_seed(0x5eed).build_hasher();
    cells.len().hash(&mut h);
    for cell in cells {
        match cell {
            Cell::Empty => h.write_u8(0),
            Cell::Text(t) => {
                h.write_u8(1);
                t.as_ref().hash(&mut h);
            }
            Cell::Int(i) => {
                h.write_u8(2);
                h.write_i64(*i);
            }
            Cell::Float(f) => {
                h.write_u8(3);
                h.write_u64(f.to_bits());
            }
            Cell::Bool(b) => {
                h.write_u8(4);
                h.write_u8(u8::from(*b));
            }
            Cell::DateTime(f) => {
                h.write_u8(5);
                h.write_u64(f.to_bits());
            }
            Cell::Error(e) => {
                h.write_u8(6);
                e.hash(&mut h);
            }
        }
    }
    h.finish()
}
