//! Finding the header row and where each known column is.

use crate::cell::{read_text, Cell};
use crate::schema::Column;

/// Where each known column is in the sheet.
pub(crate) struct Mapping {
    pub(crate) header_row: u32,
    pub(crate) index: Vec<(usize, Column)>,
    /// Sheet column of each known column, by `Column as usize`: looked up for every cell.
    by_column: Vec<Option<usize>>,
    pub(crate) ignored: Vec<String>,
}

impl Mapping {
    fn new(header_row: u32, index: Vec<(usize, Column)>, ignored: Vec<String>) -> Self {
        let mut by_column = vec![None; Column::ALL.len()];
        for &(i, col) in &index {
            by_column[col as usize] = Some(i);
        }
        Self {
            header_row,
            index,
            by_column,
            ignored,
        }
    }

    pub(crate) fn position(&self, col: Column) -> Option<usize> {
        self.by_column[col as usize]
    }
}

/// Tries `cells` as a header row: the mapping, or the required columns it lacks.
pub(crate) fn try_header(row: u32, cells: &[Cell<'_>]) -> Result<Mapping, Vec<Column>> {
    let mut index: Vec<(usize, Column)> = Vec::new();
    let mut ignored = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let Some(text) = read_text(cell) else {
            continue;
        };
        match Column::from_header(&text) {
            Some(col) if !index.iter().any(|(_, c)| *c == col) => index.push((i, col)),
            _ => ignored.push(text.into_owned()),
        }
    }
    let missing: Vec<Column> = Column::required_columns()
        .filter(|c| !index.iter().any(|(_, k)| k == c))
        .collect();
    if missing.is_empty() {
        Ok(Mapping::new(row, index, ignored))
    } else {
        Err(missing)
    }
}
