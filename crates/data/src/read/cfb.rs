//! Just enough of the OLE compound file format (MS-CFB) to take one stream out of an `.xls`:
//! the `Workbook` stream, scanned for its sheets' sizes before calamine parses it. Every chain
//! is bounded by the file's own size, so a damaged or hostile file cannot loop or over-allocate.

use std::io::{Read, Seek, SeekFrom};

const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Sector ids at or above this are markers (free, end of chain, FAT, DIFAT), not sectors.
const MAX_REGULAR: u32 = 0xFFFF_FFFA;
const DIR_ENTRY: usize = 128;
const STREAM: u8 = 2;

/// A compound file's sector tables, read from `reader`.
pub(super) struct Cfb<'r, RS> {
    reader: &'r mut RS,
    sector: usize,
    mini_sector: usize,
    cutoff: u64,
    first_mini_fat: u32,
    /// Whether stream sizes have 64 bits (version 4) or 32 (version 3).
    wide_sizes: bool,
    fat: Vec<u32>,
    dir: Vec<u8>,
}

impl<'r, RS: Read + Seek> Cfb<'r, RS> {
    /// Reads the header, the FAT and the directory; `Err` says why the file is not a CFB.
    pub(super) fn open(reader: &'r mut RS) -> Result<Self, String> {
        let len = reader.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
        let mut header = [0u8; 512];
        reader.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
        reader.read_exact(&mut header).map_err(|e| e.to_string())?;
        if header[..8] != SIGNATURE {
            return Err("not a compound file".to_owned());
        }
        let shift = u16_at(&header, 30);
        if !(9..=12).contains(&shift) {
            return Err(format!("sector shift {shift}"));
        }
        let mut cfb = Cfb {
            reader,
            sector: 1 << shift,
            mini_sector: 1 << u16_at(&header, 32).min(12),
            cutoff: u64::from(u32_at(&header, 56)),
            first_mini_fat: u32_at(&header, 60),
            wide_sizes: u16_at(&header, 26) >= 4,
            fat: Vec::new(),
            dir: Vec::new(),
        };
        let sectors = u32::try_from(len / cfb.sector as u64).unwrap_or(u32::MAX);
        let fat_sectors = cfb.fat_sectors(&header, sectors)?;
        let mut fat = Vec::new();
        for id in fat_sectors {
            fat.extend(cfb.read_sector(id)?.chunks_exact(4).map(|c| u32_at(c, 0)));
        }
        cfb.fat = fat;
        cfb.dir = cfb.read_chain(u32_at(&header, 48), None)?;
        Ok(cfb)
    }

    /// The FAT's sectors: 109 in the header, the rest in the DIFAT chain.
    fn fat_sectors(&mut self, header: &[u8], sectors: u32) -> Result<Vec<u32>, String> {
        let count = u32_at(header, 44);
        if count > sectors {
            return Err(format!("{count} FAT sectors in a file of {sectors}"));
        }
        let mut ids: Vec<u32> = header[76..].chunks_exact(4).map(|c| u32_at(c, 0)).collect();
        let mut next = u32_at(header, 68);
        let mut hops = 0;
        while next < MAX_REGULAR && ids.len() < count as usize {
            hops += 1;
            if hops > sectors {
                return Err("a DIFAT chain that loops".to_owned());
            }
            let sector = self.read_sector(next)?;
            let (entries, last) = sector.split_at(sector.len() - 4);
            ids.extend(entries.chunks_exact(4).map(|c| u32_at(c, 0)));
            next = u32_at(last, 0);
        }
        ids.truncate(count as usize);
        Ok(ids)
    }

    fn read_sector(&mut self, id: u32) -> Result<Vec<u8>, String> {
        let at = (u64::from(id) + 1) * self.sector as u64;
        let mut buf = vec![0u8; self.sector];
        self.reader
            .seek(SeekFrom::Start(at))
            .and_then(|_| self.reader.read_exact(&mut buf))
            .map_err(|e| format!("sector {id}: {e}"))?;
        Ok(buf)
    }

    /// The sectors of the chain starting at `start`, joined, at most `size` bytes.
    fn read_chain(&mut self, start: u32, size: Option<u64>) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut id = start;
        while id < MAX_REGULAR && size.is_none_or(|s| (out.len() as u64) < s) {
            if out.len() / self.sector > self.fat.len() {
                return Err("a sector chain that loops".to_owned());
            }
            out.extend(self.read_sector(id)?);
            id = *self.fat.get(id as usize).ok_or("a chain off the FAT")?;
        }
        if let Some(size) = size {
            out.truncate(usize::try_from(size).unwrap_or(usize::MAX));
        }
        Ok(out)
    }

    /// The first stream named one of `names`, or `None`.
    pub(super) fn stream(&mut self, names: &[&str]) -> Result<Option<Vec<u8>>, String> {
        let found = self
            .dir
            .chunks_exact(DIR_ENTRY)
            .find(|e| e[66] == STREAM && names.iter().any(|n| entry_name(e) == *n));
        let Some(entry) = found else {
            return Ok(None);
        };
        let (start, size) = (u32_at(entry, 116), self.size_of(entry));
        if size >= self.cutoff {
            return self.read_chain(start, Some(size)).map(Some);
        }
        // A small stream lives in the mini stream (the root entry's data), in mini sectors.
        let root = self.dir.get(..DIR_ENTRY).ok_or("no root entry")?.to_vec();
        let mini = self.read_chain(u32_at(&root, 116), Some(self.size_of(&root)))?;
        let mini_fat: Vec<u32> = self
            .read_chain(self.first_mini_fat, None)?
            .chunks_exact(4)
            .map(|c| u32_at(c, 0))
            .collect();
        let mut out = Vec::new();
        let mut id = start;
        while id < MAX_REGULAR && (out.len() as u64) < size {
            let at = id as usize * self.mini_sector;
            let piece = mini
                .get(at..at + self.mini_sector)
                .ok_or("a mini sector off the stream")?;
            if out.len() > mini.len() {
                return Err("a mini chain that loops".to_owned());
            }
            out.extend_from_slice(piece);
            id = *mini_fat
                .get(id as usize)
                .ok_or("a chain off the mini FAT")?;
        }
        out.truncate(usize::try_from(size).unwrap_or(usize::MAX));
        Ok(Some(out))
    }

    fn size_of(&self, entry: &[u8]) -> u64 {
        let size = u64::from(u32_at(entry, 120)) | u64::from(u32_at(entry, 124)) << 32;
        if self.wide_sizes {
            size
        } else {
            size & 0xFFFF_FFFF
        }
    }
}

/// A directory entry's name (UTF-16, its length in bytes with the final NUL at offset 64).
fn entry_name(entry: &[u8]) -> String {
    let bytes = usize::from(u16_at(entry, 64)).min(64);
    let units: Vec<u16> = entry[..bytes]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|&u| u != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

pub(super) fn u16_at(bytes: &[u8], at: usize) -> u16 {
    bytes
        .get(at..at + 2)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]))
}

pub(super) fn u32_at(bytes: &[u8], at: usize) -> u32 {
    bytes
        .get(at..at + 4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    const FREE: u32 = 0xFFFF_FFFF;
    const END: u32 = 0xFFFF_FFFE;

    fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
        buf[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// A directory entry: UTF-16 name, type, first sector, size.
    fn entry(name: &str, kind: u8, start: u32, size: u32) -> [u8; DIR_ENTRY] {
        let mut e = [0u8; DIR_ENTRY];
        let units: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        put(&mut e, 0, &units);
        put(&mut e, 64, &(units.len() as u16 + 2).to_le_bytes());
        e[66] = kind;
        put(&mut e, 116, &start.to_le_bytes());
        put(&mut e, 120, &size.to_le_bytes());
        e
    }

    #[test]
    fn a_stream_under_the_cutoff_is_read_from_the_mini_stream_along_its_mini_chain() {
        // Sectors: 0 FAT, 1 directory, 2 mini FAT, 3 the mini stream (8 mini sectors).
        let mut file = vec![0u8; 512 * 5];
        put(&mut file, 0, &SIGNATURE);
        put(&mut file, 26, &3u16.to_le_bytes());
        put(&mut file, 30, &9u16.to_le_bytes());
        put(&mut file, 32, &6u16.to_le_bytes());
        put(&mut file, 44, &1u32.to_le_bytes());
        put(&mut file, 48, &1u32.to_le_bytes());
        put(&mut file, 56, &4096u32.to_le_bytes());
        put(&mut file, 60, &2u32.to_le_bytes());
        put(&mut file, 64, &1u32.to_le_bytes());
        put(&mut file, 68, &END.to_le_bytes());
        put(&mut file, 76, &0u32.to_le_bytes());
        for i in 1..109 {
            put(&mut file, 76 + 4 * i, &FREE.to_le_bytes());
        }
        let fat = [0xFFFF_FFFD, END, END, END];
        for (i, id) in fat.iter().enumerate() {
            put(&mut file, 512 + 4 * i, &id.to_le_bytes());
        }
        put(&mut file, 1024, &entry("Root Entry", 5, 3, 512));
        put(
            &mut file,
            1024 + DIR_ENTRY,
            &entry("Workbook", STREAM, 1, 100),
        );
        // The Workbook's mini chain: mini sector 1, then 3 (2 is another stream's).
        let mini_fat = [FREE, 3, END, END];
        for (i, id) in mini_fat.iter().enumerate() {
            put(&mut file, 1536 + 4 * i, &id.to_le_bytes());
        }
        let mini = 2048;
        put(&mut file, mini + 64, &[b'a'; 64]);
        put(&mut file, mini + 128, &[b'x'; 64]);
        put(&mut file, mini + 192, &[b'b'; 64]);
        let mut reader = Cursor::new(file);
        let mut cfb = Cfb::open(&mut reader).expect("a compound file");
        let stream = cfb.stream(&["Workbook", "Book"]).expect("readable");
        let mut want = vec![b'a'; 64];
        want.extend([b'b'; 36]);
        assert_eq!(stream, Some(want));
        assert_eq!(cfb.stream(&["Nothing"]).expect("readable"), None);
    }
}
