//! The small parts of a workbook the sheet reader needs: which archive entry holds each sheet,
//! the shared strings, which cell styles are dates, and the 1904 flag. Read as calamine reads
//! them (same paths, same trimming, same date-format rules), so that a cell comes out the same
//! whichever reader read it.
//!
//! Anything unusual (a missing relationship, an encoding other than UTF-8, a sheet type calamine
//! refuses) is not an error here: [`Book::open`] answers `None` and the caller lets calamine read
//! the file, with calamine's own errors.

use std::collections::HashMap;
use std::io::{BufReader, Read, Seek};

use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use super::text::{decode_entity, push_escaped, push_text, unescape_xml};

/// How a number styled with a cell format reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    /// A plain number.
    Other,
    /// A date or time: the cell reads as `DateTime`.
    DateTime,
    /// An elapsed time (`[h]:mm:ss`): also `DateTime`, as calamine reads it.
    TimeDelta,
}

/// What the sheet reader needs of the workbook.
#[derive(Default)]
pub(super) struct Book {
    /// (sheet name, archive entry), in workbook order.
    pub(super) sheets: Vec<(String, String)>,
    /// The shared strings table.
    pub(super) strings: Vec<String>,
    /// Per cell style (`s` attribute), how its numbers read.
    pub(super) formats: Vec<Format>,
    /// Lower-cased entry name → the archive's spelling (paths are matched case-insensitively).
    names: HashMap<String, String>,
}

/// The workbook's parts could not be read the fast way; calamine reads the file instead.
pub(super) struct Unusual;

type Xml<'a, R> = quick_xml::Reader<BufReader<zip::read::ZipFile<'a, R>>>;

impl Book {
    /// Reads the workbook's parts, or `Err(Unusual)` for anything this reader does not handle
    /// exactly as calamine does.
    pub(super) fn open<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<Book, Unusual> {
        let mut names = HashMap::new();
        for name in zip.file_names() {
            let name = name.map_err(|_| Unusual)?;
            names.insert(name.to_lowercase().replace('\\', "/"), name.into_owned());
        }
        let mut book = Book {
            names,
            ..Book::default()
        };
        let (dir, workbook) = book.document(zip)?;
        book.read_shared_strings(zip, &dir)?;
        book.read_styles(zip, &dir)?;
        let rels = book.relationships(zip, &format!("{dir}_rels/{workbook}.rels"))?;
        book.read_workbook(zip, &dir, &format!("{dir}{workbook}"), &rels)?;
        Ok(book)
    }

    /// The archive's spelling of `path`, if it has such an entry.
    pub(super) fn entry(&self, path: &str) -> Option<&str> {
        self.names
            .get(&path.to_lowercase().replace('\\', "/"))
            .map(String::as_str)
    }

    fn xml<'a, R: Read + Seek>(
        &self,
        zip: &'a mut ZipArchive<R>,
        path: &str,
    ) -> Result<Option<Xml<'a, R>>, Unusual> {
        let Some(name) = self.entry(path) else {
            return Ok(None);
        };
        let file = zip.by_name(name).map_err(|_| Unusual)?;
        Ok(Some(as_calamine(quick_xml::Reader::from_reader(
            BufReader::new(file),
        ))))
    }

    /// The folder and name of the workbook part (`xl/`, `workbook.xml` unless the package
    /// relationships say otherwise).
    fn document<R: Read + Seek>(
        &self,
        zip: &mut ZipArchive<R>,
    ) -> Result<(String, String), Unusual> {
        let rels = self.relationships(zip, "_rels/.rels")?;
        // The last, as calamine keeps the last it reads.
        let target = rels
            .iter()
            .rev()
            .find(|(_, _, kind)| kind.ends_with("/relationships/officeDocument"))
            .map(|(_, target, _)| target.clone())
            .ok_or(Unusual)?;
        let (dir, name) = match target.rfind('/') {
            Some(at) => target.split_at(at + 1),
            None => ("", target.as_str()),
        };
        let name = if name.is_empty() {
            "workbook.xml"
        } else {
            name
        };
        Ok((
            dir.strip_prefix('/').unwrap_or(dir).to_owned(),
            name.to_owned(),
        ))
    }

    /// The (id, target, type) of a `.rels` part, in document order (a later one of the same id
    /// wins, as in calamine).
    fn relationships<R: Read + Seek>(
        &self,
        zip: &mut ZipArchive<R>,
        path: &str,
    ) -> Result<Vec<(String, String, String)>, Unusual> {
        let mut xml = self.xml(zip, path)?.ok_or(Unusual)?;
        let mut rels = Vec::new();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(|_| Unusual)? {
                Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                    if let Some(id) = attr(&e, "Id")? {
                        let target = attr(&e, "Target")?.unwrap_or_default();
                        let kind = attr(&e, "Type")?.unwrap_or_default();
                        rels.push((id, target, kind));
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "Relationships" => return Ok(rels),
                Event::Eof => return Err(Unusual),
                _ => {}
            }
        }
    }

    fn read_workbook<R: Read + Seek>(
        &mut self,
        zip: &mut ZipArchive<R>,
        dir: &str,
        path: &str,
        rels: &[(String, String, String)],
    ) -> Result<(), Unusual> {
        let mut xml = self.xml(zip, path)?.ok_or(Unusual)?;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(|_| Unusual)? {
                Event::Start(e) if e.local_name().as_ref() == "sheet" => {
                    let name = attr(&e, "name")?.unwrap_or_default();
                    let state = attr_raw(&e, "state")?;
                    if !matches!(
                        state.as_deref(),
                        None | Some("visible" | "hidden" | "veryHidden")
                    ) {
                        return Err(Unusual);
                    }
                    let mut id = None;
                    for a in e.attributes() {
                        let a = a.map_err(|_| Unusual)?;
                        if a.key.local_name().as_ref() == "id" {
                            id = Some(a.value.into_owned());
                        }
                    }
                    let id = id.unwrap_or_default();
                    let (_, target, kind) = rels
                        .iter()
                        .rev()
                        .find(|(i, _, _)| *i == id)
                        .ok_or(Unusual)?;
                    // Chart and dialog sheets have no cells: calamine says so in its words.
                    if kind.rsplit('/').next() != Some("worksheet") {
                        return Err(Unusual);
                    }
                    let path = match target.strip_prefix('/') {
                        Some(absolute) => absolute.to_owned(),
                        None => format!("{dir}{target}"),
                    };
                    self.sheets.push((name, path));
                }
                // A 1904 workbook (old Mac Excel) is read by calamine, whose cells carry the
                // flag (`read::serial_1900`): rare enough not to need a second date path here.
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "workbookPr" => {
                    if matches!(attr_raw(&e, "date1904")?.as_deref(), Some("1" | "true")) {
                        return Err(Unusual);
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "workbook" => return Ok(()),
                Event::Eof => return Err(Unusual),
                _ => {}
            }
        }
    }

    /// `sharedStrings.xml`, each `<si>` read as calamine reads it (see [`read_rich`]).
    fn read_shared_strings<R: Read + Seek>(
        &mut self,
        zip: &mut ZipArchive<R>,
        dir: &str,
    ) -> Result<(), Unusual> {
        let Some(mut xml) = self.xml(zip, &format!("{dir}sharedStrings.xml"))? else {
            return Ok(());
        };
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(|_| Unusual)? {
                Event::Start(e) if e.local_name().as_ref() == "sst" => break,
                Event::Eof => return Err(Unusual),
                _ => {}
            }
        }
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(|_| Unusual)? {
                Event::Start(e) if e.local_name().as_ref() == "si" => {
                    let closing = e.name().as_ref().to_owned();
                    let text = read_rich(&mut xml, &closing)?;
                    self.strings.push(text);
                }
                Event::End(e) if e.local_name().as_ref() == "sst" => return Ok(()),
                Event::Eof => return Err(Unusual),
                _ => {}
            }
        }
    }

    /// `styles.xml`: the custom number formats and, per cell style, whether it is a date.
    fn read_styles<R: Read + Seek>(
        &mut self,
        zip: &mut ZipArchive<R>,
        dir: &str,
    ) -> Result<(), Unusual> {
        let Some(mut xml) = self.xml(zip, &format!("{dir}styles.xml"))? else {
            return Ok(());
        };
        let mut custom: HashMap<String, String> = HashMap::new();
        let (mut buf, mut depth_xfs) = (Vec::new(), false);
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(|_| Unusual)? {
                Event::Start(e) if e.local_name().as_ref() == "numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, "numFmtId")?, attr(&e, "formatCode")?)
                    {
                        custom.insert(id, code);
                    }
                }
                Event::Start(e) if e.local_name().as_ref() == "cellXfs" => depth_xfs = true,
                Event::End(e) if e.local_name().as_ref() == "cellXfs" => depth_xfs = false,
                Event::Start(e) if depth_xfs && e.local_name().as_ref() == "xf" => {
                    let format = match attr_raw(&e, "numFmtId")? {
                        None => Format::Other,
                        Some(id) => match custom.get(&id) {
                            Some(code) => custom_format(code),
                            None => builtin_format(&id),
                        },
                    };
                    self.formats.push(format);
                }
                Event::End(e) if e.local_name().as_ref() == "styleSheet" => return Ok(()),
                Event::Eof => return Err(Unusual),
                _ => {}
            }
        }
    }
}

/// `xml` configured as calamine configures its readers: end names unchecked, text untrimmed,
/// comments unchecked, `<a/>` read as `<a></a>`.
pub(super) fn as_calamine<B: std::io::BufRead>(
    mut xml: quick_xml::Reader<B>,
) -> quick_xml::Reader<B> {
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    xml
}

/// An attribute's value, entities decoded.
fn attr(e: &BytesStart<'_>, key: &str) -> Result<Option<String>, Unusual> {
    match e.try_get_attribute(key).map_err(|_| Unusual)? {
        None => Ok(None),
        Some(a) => {
            let mut out = String::with_capacity(a.value.len());
            push_escaped(a.value.as_bytes(), &mut out).map_err(|_| Unusual)?;
            Ok(Some(out))
        }
    }
}

/// An attribute's value as written.
fn attr_raw(e: &BytesStart<'_>, key: &str) -> Result<Option<String>, Unusual> {
    match e.try_get_attribute(key).map_err(|_| Unusual)? {
        None => Ok(None),
        Some(a) => Ok(Some(a.value.into_owned())),
    }
}

/// A string item (`<si>`, or an inline `<is>`) up to its `closing` tag: the text of its `<t>`
/// runs outside phonetic `<rPh>` runs, each trimmed of ASCII white space unless
/// `xml:space="preserve"`, then `_xHHHH_` escapes decoded.
pub(super) fn read_rich<B: std::io::BufRead>(
    xml: &mut quick_xml::Reader<B>,
    closing: &str,
) -> Result<String, Unusual> {
    let (mut out, mut phonetic) = (None::<String>, false);
    let (mut buf, mut inner) = (Vec::new(), Vec::new());
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|_| Unusual)? {
            Event::Start(e) if e.local_name().as_ref() == "r" && out.is_none() => {
                out = Some(String::new());
            }
            Event::Start(e) if e.local_name().as_ref() == "rPh" => phonetic = true,
            Event::End(e) if e.name().as_ref() == closing => return Ok(out.unwrap_or_default()),
            Event::End(e) if e.local_name().as_ref() == "rPh" => phonetic = false,
            Event::Start(e) if e.local_name().as_ref() == "t" && !phonetic => {
                let preserve = matches!(attr_raw(&e, "xml:space")?, Some(v) if v == "preserve");
                let mut value = String::new();
                loop {
                    inner.clear();
                    match xml.read_event_into(&mut inner).map_err(|_| Unusual)? {
                        Event::Text(t) => {
                            push_text(t.as_bytes(), &mut value).map_err(|_| Unusual)?;
                        }
                        Event::CData(t) => {
                            push_text(t.as_bytes(), &mut value).map_err(|_| Unusual)?;
                        }
                        Event::GeneralRef(r) => {
                            decode_entity(&r, &mut value).map_err(|_| Unusual)?;
                        }
                        Event::End(end) if end.name() == e.name() => break,
                        Event::Eof => return Err(Unusual),
                        _ => {}
                    }
                }
                let value = if preserve {
                    value.as_str()
                } else {
                    value.trim_matches([' ', '\t', '\r', '\n'])
                };
                out.get_or_insert_with(String::new)
                    .push_str(&unescape_xml(value));
            }
            Event::Eof => return Err(Unusual),
            _ => {}
        }
    }
}

/// Built-in number formats that are dates or times (ids 14–22, 27–36, 45, 47, 50–58; 46 is an
/// elapsed time).
fn builtin_format(id: &str) -> Format {
    // The id as written: `014` is not a built-in format.
    let date = (14..=22).chain(27..=36).chain([45, 47]).chain(50..=58);
    if id == "46" {
        Format::TimeDelta
    } else if date.map(|n: u16| n.to_string()).any(|n| n == id) {
        Format::DateTime
    } else {
        Format::Other
    }
}

/// Whether a custom format code shows a date or time: a `d m h y s` (or `AM/PM`) outside
/// quotes, brackets and escapes in its first section; `[h]`, `[m]`, `[s]` make it elapsed time.
fn custom_format(code: &str) -> Format {
    let (mut escaped, mut quoted, mut brackets) = (false, false, 0u8);
    let (mut prev, mut hms, mut ap) = (' ', false, false);
    for c in code.chars() {
        if escaped {
            escaped = false;
        } else if matches!(c, '_' | '\\' | '*') {
            escaped = true;
        } else if quoted {
            quoted = c != '"';
        } else if c == '"' {
            quoted = true;
        } else if c == ';' {
            return Format::Other;
        } else if c == '[' {
            brackets += 1;
        } else if c == ']' && brackets == 1 && hms {
            return Format::TimeDelta;
        } else if c == ']' {
            brackets = brackets.saturating_sub(1);
        } else if brackets == 0 && !ap && matches!(c, 'a' | 'A') {
            ap = true;
        } else if brackets == 0
            && ((ap && matches!(c, 'p' | 'm' | '/' | 'P' | 'M'))
                || (!ap && "dmhysDMHYS".contains(c)))
        {
            return Format::DateTime;
        } else if !(hms && c.eq_ignore_ascii_case(&prev)) {
            hms = prev == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
        }
        prev = c;
    }
    Format::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_formats_are_told_from_number_formats_as_excel_shows_them() {
        assert_eq!(custom_format("yyyy-mm-dd hh:mm:ss"), Format::DateTime);
        assert_eq!(custom_format("H:MM:SS;@"), Format::DateTime);
        assert_eq!(custom_format("[h]:mm:ss"), Format::TimeDelta);
        assert_eq!(custom_format("0.00"), Format::Other);
        assert_eq!(custom_format("\"yy\"0"), Format::Other);
        assert_eq!(custom_format("#,##0 ;[Red](#,##0)"), Format::Other);
        assert_eq!(custom_format("[$-409]0.00"), Format::Other);
        assert_eq!(builtin_format("14"), Format::DateTime);
        assert_eq!(builtin_format("46"), Format::TimeDelta);
        assert_eq!(builtin_format("2"), Format::Other);
    }
}
