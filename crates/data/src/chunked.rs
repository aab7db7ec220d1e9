//! [`Chunked`]: an append-only byte log in fixed-size chunks. A growing `Vec` copies itself on
//! every doubling and holds up to twice its length; this never copies and wastes at most the
//! unused end of its last chunk, which the system does not even back with memory until written.

/// Bytes per chunk.
pub(crate) const CHUNK: usize = 1 << CHUNK_BITS;
const CHUNK_BITS: u32 = 20;
/// Most chunks a log holds, so that a [`Pos`] fits in a `u32` (4 GiB in all).
const MAX_CHUNKS: usize = 1 << (32 - CHUNK_BITS);
/// Longest record [`Chunked::push`] accepts.
pub(crate) const MAX_RECORD: usize = 256;

/// Where a record starts: chunk index in the high bits, offset in the low [`CHUNK_BITS`].
pub(crate) type Pos = u32;

/// An append-only log of records; a record never straddles two chunks.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chunked {
    chunks: Vec<Vec<u8>>,
}

impl Chunked {
    /// True when one more record of [`MAX_RECORD`] bytes might not fit.
    pub(crate) fn is_full(&self) -> bool {
        self.chunks.len() >= MAX_CHUNKS
            && self
                .chunks
                .last()
                .is_none_or(|c| c.len() + MAX_RECORD > CHUNK)
    }

    /// Appends a record and returns where it starts; `None` when the log [`is_full`] or the
    /// record is longer than [`MAX_RECORD`].
    ///
    /// [`is_full`]: Chunked::is_full
    pub(crate) fn push(&mut self, record: &[u8]) -> Option<Pos> {
        if record.len() > MAX_RECORD {
            return None;
        }
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.len() + record.len() <= CHUNK);
        if !fits {
            if self.chunks.len() >= MAX_CHUNKS {
                return None;
            }
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let index = self.chunks.len() - 1;
        let chunk = self.chunks.last_mut()?;
        let offset = chunk.len();
        chunk.extend_from_slice(record);
        Some(((index as u32) << CHUNK_BITS) | offset as u32)
    }

    /// The bytes from `pos` to the end of its chunk (the record at `pos` comes first).
    pub(crate) fn at(&self, pos: Pos) -> &[u8] {
        let index = (pos >> CHUNK_BITS) as usize;
        let offset = (pos & (CHUNK as u32 - 1)) as usize;
        self.chunks
            .get(index)
            .and_then(|c| c.get(offset..))
            .unwrap_or(&[])
    }

    /// The written bytes of chunk `index`, for reading all records from the start.
    pub(crate) fn chunk(&self, index: usize) -> Option<&[u8]> {
        self.chunks.get(index).map(Vec::as_slice)
    }

    /// Number of chunks.
    #[cfg(test)]
    pub(crate) fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// The position of byte `offset` of chunk `index`.
    pub(crate) fn pos(index: usize, offset: usize) -> Pos {
        ((index as u32) << CHUNK_BITS) | offset as u32
    }

    /// Heap bytes held (written or not).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum::<usize>() + self.chunks.capacity() * 24
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_from_their_position_and_never_straddle_chunks() {
        let mut log = Chunked::default();
        let record = [7u8; 200];
        let mut positions = Vec::new();
        for i in 0..(CHUNK / 200 + 10) {
            let mut r = record;
            r[0] = i as u8;
            positions.push(log.push(&r).expect("room"));
        }
        assert_eq!(
            log.chunk_count(),
            2,
            "the second chunk started whole records"
        );
        for (i, &pos) in positions.iter().enumerate() {
            let bytes = log.at(pos);
            assert!(bytes.len() >= 200);
            assert_eq!(bytes[0], i as u8);
        }
        for i in 0..log.chunk_count() {
            assert_eq!(log.chunk(i).map(|c| c.len() % 200), Some(0));
        }
    }

    #[test]
    fn an_oversized_record_is_refused() {
        let mut log = Chunked::default();
        assert_eq!(log.push(&[0; MAX_RECORD + 1]), None);
        assert_eq!(log.push(&[1; MAX_RECORD]), Some(0));
        assert!(!log.is_full());
    }

    #[test]
    fn an_unknown_position_reads_as_nothing() {
        let log = Chunked::default();
        assert!(log.at(Chunked::pos(3, 5)).is_empty());
    }
}
