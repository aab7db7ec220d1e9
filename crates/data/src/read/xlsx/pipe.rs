//! A sheet read on three threads: this one inflates the sheet's XML out of the archive, a
//! second scans it for cells, a third groups the cells into rows and hands them to `on_row`.
//! Each step is about as costly as the others, so a 2-core machine reads a sheet in well under
//! the time calamine's one thread takes (see `docs/performance.md`).

use std::borrow::Cow;
use std::io::Read;
use std::ops::ControlFlow;
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};

use super::super::stream::group_rows;
use super::book::Book;
use super::scan::{RawCell, ScanError, Scanner, Stop, Val, ERRORS};
use crate::cell::Cell;

/// Bytes of XML per chunk.
const CHUNK: usize = 1 << 20;
/// Room left before each chunk's bytes for the tail of the chunk before it (a cut cell), so
/// that the tail is joined to the next chunk without copying the chunk.
const HEAD: usize = 64 << 10;
/// Chunks or batches in flight between two threads.
const IN_FLIGHT: usize = 4;
/// The longest cell, tag or comment the scanner waits for across chunks. Excel's cells hold
/// 32,767 characters at most; without a bound, a zip bomb of one endless cell would be copied
/// again with every chunk.
pub(super) const MAX_CUT: usize = 16 << 20;

/// A chunk of XML: `buf[HEAD..HEAD + len]`, and whether it is the last.
struct Chunk {
    buf: Vec<u8>,
    len: usize,
    last: bool,
}

/// Cells of whole rows, their text in `owned`.
struct Batch {
    cells: Vec<RawCell>,
    owned: String,
}

/// Reads the sheet `xml` and hands its rows to `on_row` (1-based row numbers).
pub(super) fn read_sheet(
    mut xml: impl Read,
    book: &Book,
    budget: u64,
    on_row: &mut (impl FnMut(u32, &[Cell<'_>]) -> ControlFlow<()> + Send),
) -> Result<(), ScanError> {
    let (chunks_in, chunks) = sync_channel::<Chunk>(IN_FLIGHT);
    let (spare_in, spares) = channel::<Vec<u8>>();
    let (batches_in, batches) = sync_channel::<Batch>(IN_FLIGHT);
    std::thread::scope(|scope| {
        let scanner = scope.spawn(move || scan(chunks, &spare_in, &batches_in, book, budget));
        let strings = &book.strings;
        let rows = scope.spawn(move || rows(batches, strings, on_row));
        let mut read = Ok(());
        loop {
            let mut buf = spares.try_recv().unwrap_or_else(|_| vec![0; HEAD + CHUNK]);
            let len = match fill(&mut xml, &mut buf[HEAD..]) {
                Ok(len) => len,
                Err(e) => {
                    read = Err(ScanError::Xml(format!("the sheet cannot be inflated: {e}")));
                    break;
                }
            };
            let last = len < CHUNK;
            if chunks_in.send(Chunk { buf, len, last }).is_err() || last {
                break;
            }
        }
        drop(chunks_in);
        let scanned = scanner
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        rows.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        // The scanner's error says more than the inflater's (which may only be that it stopped).
        scanned.and(read)
    })
}

/// Fills `buf` from `r`; fewer bytes only at the end.
fn fill(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The scanning thread: chunks in, batches of whole rows out, emptied chunks back.
fn scan(
    chunks: Receiver<Chunk>,
    spare: &std::sync::mpsc::Sender<Vec<u8>>,
    batches: &SyncSender<Batch>,
    book: &Book,
    budget: u64,
) -> Result<(), ScanError> {
    let mut scanner = Scanner::new(&book.strings, &book.formats, budget);
    let mut tail: Vec<u8> = Vec::new();
    let mut held = Batch {
        cells: Vec::new(),
        owned: String::new(),
    };
    for mut chunk in chunks {
        let (mut joined, data): (Vec<u8>, &[u8]);
        if tail.len() <= HEAD {
            chunk.buf[HEAD - tail.len()..HEAD].copy_from_slice(&tail);
            data = &chunk.buf[HEAD - tail.len()..HEAD + chunk.len];
        } else {
            joined = std::mem::take(&mut tail);
            joined.extend_from_slice(&chunk.buf[HEAD..HEAD + chunk.len]);
            data = &joined;
        }
        let mut batch = std::mem::replace(
            &mut held,
            Batch {
                cells: Vec::with_capacity(1 << 15),
                owned: String::new(),
            },
        );
        let stop = scanner.scan(data, &mut batch.cells, &mut batch.owned)?;
        let done = match stop {
            Stop::Done => true,
            Stop::More(at) if data.len() - at > MAX_CUT => return Err(ScanError::TooLong),
            Stop::More(at) => {
                tail = data[at..].to_vec();
                false
            }
        };
        let _ = spare.send(chunk.buf);
        if done {
            let _ = batches.send(batch);
            return Ok(());
        }
        if chunk.last {
            return Err(scanner.not_a_sheet());
        }
        hold_last_row(&mut batch, &mut held);
        if !batch.cells.is_empty() && batches.send(batch).is_err() {
            // The rows are done with (a header not found, too many lines).
            return Ok(());
        }
    }
    // The inflater stopped early: its own error says why.
    Ok(())
}

/// Moves the cells of `batch`'s last row (perhaps cut by the chunk's end) to `next`, so that
/// every batch holds whole rows.
fn hold_last_row(batch: &mut Batch, next: &mut Batch) {
    let Some(last) = batch.cells.last().map(|c| c.row) else {
        return;
    };
    let from = batch
        .cells
        .iter()
        .rposition(|c| c.row != last)
        .map_or(0, |i| i + 1);
    for mut cell in batch.cells.drain(from..) {
        if let Val::Owned(s, e) = cell.val {
            let start = next.owned.len() as u32;
            next.owned.push_str(&batch.owned[s as usize..e as usize]);
            cell.val = Val::Owned(start, next.owned.len() as u32);
        }
        next.cells.push(cell);
    }
}

/// The rows thread: each batch's cells grouped into rows for `on_row`.
fn rows(
    batches: Receiver<Batch>,
    strings: &[String],
    on_row: &mut impl FnMut(u32, &[Cell<'_>]) -> ControlFlow<()>,
) {
    for batch in batches {
        let cells = batch
            .cells
            .iter()
            .map(|c| (c.row, c.col, value(c.val, strings, &batch.owned)));
        if group_rows(cells, on_row).is_break() {
            return;
        }
    }
}

fn value<'a>(val: Val, strings: &'a [String], owned: &'a str) -> Cell<'a> {
    match val {
        Val::Empty => Cell::Empty,
        Val::Shared(i) => Cell::Text(Cow::Borrowed(&strings[i as usize])),
        Val::Owned(s, e) => Cell::Text(Cow::Borrowed(&owned[s as usize..e as usize])),
        Val::Float(f) => Cell::Float(f),
        Val::DateTime(f) => Cell::DateTime(f),
        Val::Bool(b) => Cell::Bool(b),
        Val::Error(i) => Cell::Error(ERRORS[usize::from(i)].to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_cell_is_refused_once_longer_than_the_bound_not_copied_without_end() {
        let book = Book::default();
        let mut xml = br#"<worksheet><sheetData><row><c t="inlineStr"><is><t>"#.to_vec();
        xml.resize(xml.len() + MAX_CUT + CHUNK, b'x');
        let mut rows = 0;
        let read = read_sheet(&xml[..], &book, u64::MAX, &mut |_, _| {
            rows += 1;
            ControlFlow::Continue(())
        });
        match read {
            Err(ScanError::TooLong) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(rows, 0);
    }
}
