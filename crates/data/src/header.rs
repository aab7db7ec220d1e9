//! Finding the header row and where each known column is.

use crate::cell::{read_text, Cell};
use crate::limits::cut_text;
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

/// A row with no known header among its first this many cells is no header row, however many
/// cells follow (a 30 × 16,384-cell sheet cost 2.3 s of CPU when every cell was tried).
pub const HEADER_GIVE_UP_CELLS: usize = 1_000;

/// Tries `cells` as a header row: the mapping, or the required columns it lacks. Only the cells
/// up to the row's last non-empty one are looked at.
pub(crate) fn try_header(row: u32, cells: &[Cell<'_>]) -> Result<Mapping, Vec<Column>> {
    let used = cells
        .iter()
        .rposition(|c| !c.is_blank())
        .map_or(0, |i| i + 1);
    let mut index: Vec<(usize, Column)> = Vec::new();
    let mut ignored = Vec::new();
    for (i, cell) in cells[..used].iter().enumerate() {
        if i == HEADER_GIVE_UP_CELLS && index.is_empty() {
            return Err(Column::required_columns().collect());
        }
        let Some(text) = read_text(cell) else {
            continue;
        };
        match Column::from_header(&text) {
            Some(col) if !index.iter().any(|(_, c)| *c == col) => index.push((i, col)),
            // Kept for the report: cut like any text cell.
            _ => ignored.push(cut_text(&text).unwrap_or(&text).to_owned()),
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

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn text(s: &str) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(s))
    }

    const REQUIRED: [&str; 5] = ["订单ID", "下单时间", "门店名称", "商品名称", "销量"];

    #[test]
    fn a_header_after_a_thousand_unknown_cells_is_not_looked_for() {
        let mut cells: Vec<Cell<'_>> = vec![text("x"); HEADER_GIVE_UP_CELLS];
        cells.extend(REQUIRED.map(text));
        let Err(missing) = try_header(1, &cells) else {
            panic!("a header found past the give-up point");
        };
        assert_eq!(missing.len(), REQUIRED.len());
        let mut near: Vec<Cell<'_>> = vec![text("x"); HEADER_GIVE_UP_CELLS - 1];
        near.extend(REQUIRED.map(text));
        let Ok(found) = try_header(1, &near) else {
            panic!("no header within the first thousand cells");
        };
        assert_eq!(found.index.len(), REQUIRED.len());
    }

    #[test]
    fn a_known_header_early_keeps_the_whole_wide_row_in_view_and_long_names_are_cut() {
        let long = "备".repeat(1_000);
        let mut cells: Vec<Cell<'_>> = REQUIRED[..4].iter().map(|s| text(s)).collect();
        cells.extend(vec![text(&long); 3_000]);
        cells.push(text("销量"));
        cells.extend(vec![Cell::Empty; 10_000]);
        let Ok(found) = try_header(2, &cells) else {
            panic!("no header");
        };
        assert_eq!(found.position(Column::Quantity), Some(3_004));
        assert_eq!(found.ignored.len(), 3_000);
        assert!(found.ignored.iter().all(|t| t.chars().count() == 255));
    }
}
