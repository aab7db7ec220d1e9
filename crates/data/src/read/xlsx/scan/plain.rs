//! The common cell read fast.

use super::super::text::unescape_xml;
use super::bytes::position;
use super::{push, RawCell, ScanError, Scanner, Val};

impl Scanner<'_> {
    /// The common cell, `<c r="B7" s="1" t="s"><v>12</v></c>` (any of the attributes, no
    /// `<v>`, or `<c …/>`), read with a few byte comparisons. `None` for anything else, or a
    /// cell cut by the chunk's end: the general reader ([`Scanner::cell`]) reads those.
    #[inline]
    pub(super) fn plain_cell(
        &mut self,
        data: &[u8],
        lt: usize,
        owned: &mut String,
    ) -> Option<Result<(usize, RawCell), ScanError>> {
        // `<c ` or `<c>` or `<c/`: not `<cr=…` nor a longer name.
        if !matches!(data.get(lt + 2)?, b' ' | b'>' | b'/') {
            return None;
        }
        let (mut i, empty, [r, style, kind]) = plain_attrs(data, lt + 2)?;
        i += 1;
        let (end, val) = if empty {
            (i, Val::Empty)
        } else if data.get(i..i + 4)? == b"</c>" {
            (i + 4, Val::Empty)
        } else if data.get(i..i + 3)? == b"<v>" {
            let text = i + 3;
            let mut j = text;
            while *data.get(j)? != b'<' {
                j += 1;
            }
            if data.get(j..j + 8)? != b"</v></c>" || data[text..j].contains(&b'&') {
                return None;
            }
            let val = match kind {
                None | Some(b"n" | b"s" | b"b" | b"e") if j == text => Val::Empty,
                None | Some(b"n" | b"s" | b"b" | b"e") => {
                    match self.read_v(&data[text..j], style, kind, owned) {
                        Ok(v) => v,
                        Err(e) => return Some(Err(e)),
                    }
                }
                Some(b"inlineStr" | b"is") => Val::Empty,
                Some(_) => return None,
            };
            (j + 8, val)
        } else if data.get(i..i + 7)? == b"<is><t>" {
            // An inline string of one plain run, as streaming writers (POI's SXSSF, xlsxwriter's
            // constant memory mode) write every text cell: read as `read_rich` reads it.
            let text = i + 7;
            let j = text + memchr::memchr(b'<', data.get(text..)?)?;
            let raw = &data[text..j];
            if data.get(j..j + 13)? != b"</t></is></c>"
                || raw.contains(&b'&')
                || raw.contains(&b'\r')
            {
                return None;
            }
            let t = std::str::from_utf8(raw).ok()?;
            let t = t.trim_matches([' ', '\t', '\n']);
            (j + 13, push(owned, &unescape_xml(t)))
        } else {
            return None;
        };
        let (row, col) = match r {
            Some(r) => match position(r) {
                Ok(p) => p,
                Err(e) => return Some(Err(e)),
            },
            None => (self.row, self.col),
        };
        self.col = col.wrapping_add(1);
        Some(Ok((end, RawCell { row, col, val })))
    }
}

/// A cell's `r`, `s` and `t`, as written.
type Attrs<'d> = [Option<&'d [u8]>; 3];

/// The `r`, `s` and `t` of a plain cell's start tag from `i` (after `<c`): the offset of its
/// `>`, whether it ends `/>`, the three values. `None` for anything but `key="value"` pairs
/// separated by spaces.
#[inline]
fn plain_attrs(data: &[u8], mut i: usize) -> Option<(usize, bool, Attrs<'_>)> {
    let (mut r, mut style, mut kind) = (None, None, None);
    let empty = loop {
        match *data.get(i)? {
            b' ' => i += 1,
            b'>' => break false,
            b'/' if data.get(i + 1) == Some(&b'>') => {
                i += 1;
                break true;
            }
            b'a'..=b'z' | b'A'..=b'Z' => {
                let key = i;
                while data.get(i)?.is_ascii_alphabetic() {
                    i += 1;
                }
                let (name, quote) = (&data[key..i], *data.get(i + 1)?);
                if data[i] != b'=' || (quote != b'"' && quote != b'\'') {
                    return None;
                }
                let value = i + 2;
                i = value + memchr::memchr(quote, data.get(value..)?)?;
                let value = &data[value..i];
                i += 1;
                match name {
                    b"r" => r = Some(value),
                    b"s" => style = Some(value),
                    b"t" => kind = Some(value),
                    _ => {}
                }
            }
            _ => return None,
        }
    };
    Some((i, empty, [r, style, kind]))
}
