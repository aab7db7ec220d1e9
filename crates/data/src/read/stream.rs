//! The streaming readers' cells grouped into rows on a thread of their own.

use std::borrow::Cow;
use std::ops::ControlFlow;

use calamine::DataRef;

use crate::cell::Cell;
use crate::error::IngestError;
use crate::limits::Extent;

/// Cells per batch handed from the reading thread to the row thread (about 16k cells, a few
/// hundred rows; a batch always ends with a whole row).
const BATCH: usize = 1 << 14;

/// Groups a row-major stream of cells into rows. Cells missing from a row are empty.
///
/// Two threads: this one runs calamine's reader (decompressing and parsing the sheet, most of
/// the work) and hands the cells over in batches, moved, not copied; a second one groups them
/// into rows and runs `on_row`, so that ingest costs little more than calamine's read alone.
///
/// Once the non-empty cells span more than `budget` cells (first to last row × first to last
/// column), the read stops with `too_large(cells)`: rows far beyond the data are refused.
pub(super) fn stream_cells<'a>(
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, IngestError>,
    budget: u64,
    too_large: impl Fn(u64) -> IngestError,
    on_row: &mut (impl FnMut(u32, &[Cell<'_>]) -> ControlFlow<()> + Send),
) -> Result<(), IngestError> {
    type Batch<'a> = Vec<calamine::Cell<DataRef<'a>>>;
    let (full, batches) = std::sync::mpsc::sync_channel::<Batch<'a>>(4);
    let (recycle, empties) = std::sync::mpsc::channel::<Batch<'a>>();
    std::thread::scope(|scope| {
        let rows = scope.spawn(move || {
            for mut batch in batches {
                let cells = batch.iter().map(|cell| {
                    let (r, c) = cell.get_position();
                    (r, c, borrow_data_ref(cell.get_value()))
                });
                if group_rows(cells, on_row).is_break() {
                    // Dropping `batches` stops the reader at its next batch.
                    return;
                }
                batch.clear();
                let _ = recycle.send(batch);
            }
        });
        let mut batch: Batch<'a> = Vec::with_capacity(BATCH);
        let mut last_row = None;
        let mut extent = Extent::default();
        let outcome = loop {
            let cell = match next() {
                Ok(Some(cell)) => cell,
                Ok(None) => break Ok(()),
                Err(err) => break Err(err),
            };
            let (row, col) = cell.get_position();
            if !matches!(cell.get_value(), DataRef::Empty) {
                extent.add_cell(row, col);
                if extent.cells() > budget {
                    break Err(too_large(extent.cells()));
                }
            }
            if batch.len() >= BATCH && last_row != Some(row) {
                let fresh = empties
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(BATCH));
                if full.send(std::mem::replace(&mut batch, fresh)).is_err() {
                    // The rows are done with (a header not found, too many lines).
                    break Ok(());
                }
            }
            last_row = Some(row);
            batch.push(cell);
        };
        if outcome.is_ok() && !batch.is_empty() {
            let _ = full.send(batch);
        }
        drop(full);
        if let Err(panic) = rows.join() {
            std::panic::resume_unwind(panic);
        }
        outcome
    })
}

/// Hands the rows of a batch of whole rows, given cell by cell as (0-based row, column, value),
/// to `on_row` (1-based row numbers): consecutive cells of one row make a row, missing cells
/// are empty, columns past `MAX_COLUMNS` are dropped. Both `.xlsx` readers group with it.
pub(super) fn group_rows<'a>(
    cells: impl Iterator<Item = (u32, u32, Cell<'a>)>,
    on_row: &mut impl FnMut(u32, &[Cell<'_>]) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let mut row: Vec<Cell<'a>> = Vec::new();
    let mut current: Option<u32> = None;
    for (r, c, value) in cells {
        if current != Some(r) {
            if let Some(done) = current {
                on_row(done.saturating_add(1), &row)?;
            }
            row.clear();
            current = Some(r);
        }
        let c = c as usize;
        if c >= crate::ingest::MAX_COLUMNS {
            continue;
        }
        if row.len() <= c {
            row.resize(c + 1, Cell::Empty);
        }
        row[c] = value;
    }
    match current {
        Some(done) => on_row(done.saturating_add(1), &row),
        None => ControlFlow::Continue(()),
    }
}

/// A cell of the streaming readers, its text borrowed.
fn borrow_data_ref<'a>(value: &'a DataRef<'_>) -> Cell<'a> {
    match value {
        DataRef::Int(i) => Cell::Int(*i),
        DataRef::Float(f) => Cell::Float(*f),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cell::Text(Cow::Borrowed(s))
        }
        DataRef::SharedString(s) => Cell::Text(Cow::Borrowed(s)),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) => Cell::DateTime(super::serial_1900(d)),
        DataRef::Error(e) => Cell::Error(e.to_string()),
        DataRef::Empty => Cell::Empty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows `0..rows` of `width` cells (the cell at column 1 of row 3 missing), as the
    /// streaming readers hand them over.
    fn cells(rows: u32, width: u32) -> impl Iterator<Item = calamine::Cell<DataRef<'static>>> {
        (0..rows).flat_map(move |r| {
            (0..width)
                .filter(move |&c| !(r == 3 && c == 1))
                .map(move |c| {
                    let value = if c == 0 {
                        DataRef::String(format!("r{r}"))
                    } else {
                        DataRef::Int(i64::from(r * 100 + c))
                    };
                    calamine::Cell::new((r, c), value)
                })
        })
    }

    fn unreachable(cells: u64) -> IngestError {
        panic!("no budget in this test, yet {cells} cells were over it")
    }

    #[test]
    fn cells_far_beyond_the_data_stop_the_read_once_they_pass_the_budget() {
        let far = [
            calamine::Cell::new((0, 0), DataRef::Int(1)),
            calamine::Cell::new((5, 3), DataRef::Empty),
            calamine::Cell::new((1_048_575, 16_383), DataRef::Int(2)),
            calamine::Cell::new((1_048_575, 16_384), DataRef::Int(3)),
        ];
        let mut source = far.into_iter();
        let mut read = 0;
        let outcome = stream_cells(
            || {
                read += 1;
                Ok(source.next())
            },
            1_048_576 * 40,
            |cells| IngestError::Corrupt {
                file: "far.xlsx".to_owned(),
                detail: cells.to_string(),
            },
            &mut |_, _| ControlFlow::Continue(()),
        );
        match outcome {
            Err(IngestError::Corrupt { detail, .. }) => {
                assert_eq!(detail, (1_048_576u64 * 16_384).to_string());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(read, 3, "stopped at the far cell");
        let mut near = [(0, 0), (9, 3), (70_000, 0)]
            .map(|p| calamine::Cell::new(p, DataRef::Int(1)))
            .into_iter();
        let fits = stream_cells(|| Ok(near.next()), 70_001 * 4, unreachable, &mut |_, _| {
            ControlFlow::Continue(())
        });
        assert!(fits.is_ok(), "{fits:?}");
    }

    #[test]
    fn streamed_cells_come_back_as_whole_rows_across_batches() {
        let (rows, width) = (3 * BATCH as u32 / 7, 7);
        let mut source = cells(rows, width);
        let mut seen = Vec::new();
        stream_cells(
            || Ok(source.next()),
            u64::MAX,
            unreachable,
            &mut |row, cells| {
                let text = match &cells[0] {
                    Cell::Text(t) => t.to_string(),
                    other => format!("{other:?}"),
                };
                let last = match cells.last() {
                    Some(Cell::Int(i)) => *i,
                    _ => -1,
                };
                seen.push((
                    row,
                    cells.len(),
                    text,
                    last,
                    matches!(cells[1], Cell::Empty),
                ));
                ControlFlow::Continue(())
            },
        )
        .expect("streams");
        assert_eq!(seen.len(), rows as usize, "every row once, none split");
        for (r, (row, len, text, last, gap)) in seen.iter().enumerate() {
            let r = r as u32;
            assert_eq!(*row, r + 1, "1-based row numbers");
            assert_eq!(*len, width as usize);
            assert_eq!(text, &format!("r{r}"));
            assert_eq!(*last, i64::from(r * 100 + width - 1));
            assert_eq!(*gap, r == 3, "a missing cell reads as empty");
        }
    }

    #[test]
    fn a_break_stops_the_reader_and_an_error_comes_back() {
        let mut source = cells(10 * BATCH as u32, 1);
        let mut read = 0u32;
        let mut rows = 0;
        stream_cells(
            || {
                read += 1;
                Ok(source.next())
            },
            u64::MAX,
            unreachable,
            &mut |_, _| {
                rows += 1;
                if rows == 5 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .expect("a break is not an error");
        assert_eq!(rows, 5);
        assert!(
            read < 10 * BATCH as u32,
            "the reader stopped early ({read} cells read)"
        );
        let mut n = 0;
        let failed = stream_cells(
            || {
                n += 1;
                if n > 2 * BATCH as u32 {
                    Err(IngestError::Corrupt {
                        file: "x.xlsx".to_owned(),
                        detail: "broken".to_owned(),
                    })
                } else {
                    Ok(Some(calamine::Cell::new((n, 0), DataRef::Int(1))))
                }
            },
            u64::MAX,
            unreachable,
            &mut |_, _| ControlFlow::Continue(()),
        );
        assert!(matches!(failed, Err(IngestError::Corrupt { .. })));
    }
}
