//! Turning rows of cells into validated order lines: header detection, alias mapping, typed
//! values, problems with sheet/row/column/value.

use std::io::{Read, Seek};
use std::ops::ControlFlow;

use crate::cell::{read_datetime, read_number, read_text, Cell};
use crate::dataset::{self, to_cents, to_millis, Sym, LINE_MONEY, NA, ORDER_MONEY, ORDER_TEXT};
use crate::error::IngestError;
pub use crate::header::HEADER_GIVE_UP_CELLS;
use crate::header::{try_header, Mapping};
use crate::limits::{cut_text, ParseLimits};
use crate::report::{store_spans, IngestReport, MissingColumn, Problem, Severity, REPORT_PROBLEMS};
use crate::schema::{Column, Level};
use crate::staged::{Line, Order, Staged};

/// Columns beyond this are ignored (Excel's own maximum).
pub const MAX_COLUMNS: usize = 16_384;
/// How many rows from the top the header may be in (title rows above it allowed).
pub const HEADER_SEARCH_ROWS: usize = 30;
/// The warning of a text cell cut to [`crate::limits::MAX_TEXT_CHARS`] characters.
const TEXT_CUT: &str = "文本超过 255 个字符,已截断 (text longer than 255 characters, cut)";
/// Problems kept for the downloadable CSV at most; past that they are only counted.
pub const MAX_PROBLEMS_KEPT: usize = 100_000;

/// Limits for one ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The sheet to read; the first one when `None`.
    pub sheet: Option<String>,
    /// Most order lines accepted from one file.
    pub max_lines: usize,
    /// How large a sheet, a workbook or a CSV line may be.
    pub limits: ParseLimits,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            sheet: None,
            max_lines: 10_000_000,
            limits: ParseLimits::default(),
        }
    }
}

/// A parsed upload: its lines (all stores together) and its report.
#[derive(Debug)]
pub struct Ingested {
    /// The orders and lines, in file order (held compactly until stored).
    pub data: Staged,
    /// What was found.
    pub report: IngestReport,
    /// Every problem (up to [`MAX_PROBLEMS_KEPT`]).
    pub problems: Vec<Problem>,
}

/// Reads and validates one uploaded file.
pub fn ingest<RS: Read + Seek>(
    reader: RS,
    file_name: &str,
    opts: &IngestOptions,
) -> Result<Ingested, IngestError> {
    let mut state = State::new(file_name, opts.max_lines);
    let sheet = crate::read::read_rows(
        reader,
        file_name,
        opts.sheet.as_deref(),
        &opts.limits,
        |row, cells| state.on_row(row, cells),
    )?;
    state.finish(sheet)
}

struct State<'f> {
    file: &'f str,
    max_lines: usize,
    mapping: Option<Mapping>,
    /// The candidate header that came closest, for the error message.
    best: Option<(Vec<Column>, Vec<String>)>,
    rows_seen: usize,
    data: Staged,
    rejected: usize,
    problems: Vec<Problem>,
    problem_count: usize,
    warning_count: usize,
    too_many: bool,
    sheet: String,
}

impl<'f> State<'f> {
    fn new(file: &'f str, max_lines: usize) -> Self {
        Self {
            file,
            max_lines,
            mapping: None,
            best: None,
            rows_seen: 0,
            data: Staged::default(),
            rejected: 0,
            problems: Vec::new(),
            problem_count: 0,
            warning_count: 0,
            too_many: false,
            sheet: String::new(),
        }
    }

    fn on_row(&mut self, row: u32, cells: &[Cell<'_>]) -> ControlFlow<()> {
        self.rows_seen += 1;
        if self.mapping.is_none() {
            if cells.iter().all(Cell::is_blank) {
                return ControlFlow::Continue(());
            }
            match try_header(row, cells) {
                Ok(mapping) => self.mapping = Some(mapping),
                Err(missing) => {
                    if self
                        .best
                        .as_ref()
                        .is_none_or(|(m, _)| missing.len() < m.len())
                    {
                        let found = cells
                            .iter()
                            .filter_map(read_text)
                            .map(|t| cut_text(&t).unwrap_or(&t).to_owned())
                            .take(50)
                            .collect();
                        self.best = Some((missing, found));
                    }
                }
            }
            return if self.rows_seen >= HEADER_SEARCH_ROWS && self.mapping.is_none() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            };
        }
        if cells.iter().all(Cell::is_blank) {
            return ControlFlow::Continue(());
        }
        // `is_full` is the staging's own 4 GiB bound, far past any default limit.
        if self.data.line_count() >= self.max_lines || self.data.is_full() {
            self.too_many = true;
            return ControlFlow::Break(());
        }
        self.line(row, cells);
        ControlFlow::Continue(())
    }

    fn problem(
        &mut self,
        row: u32,
        col: Column,
        cell: &Cell<'_>,
        message: &str,
        severity: Severity,
    ) {
        self.problem_count += 1;
        if severity == Severity::Warning {
            self.warning_count += 1;
        }
        if self.problems.len() < MAX_PROBLEMS_KEPT {
            self.problems.push(Problem {
                sheet: String::new(),
                row,
                column: col.name().to_owned(),
                // Not `display()` for text: a 5 MB cell would be copied whole to keep 200.
                value: match cell {
                    Cell::Text(t) => t.chars().take(200).collect(),
                    other => other.display().chars().take(200).collect(),
                },
                message: message.to_owned(),
                severity,
            });
        }
    }

    /// Reads the required cells of a row; `None` (with a problem per bad cell) rejects the row.
    fn required(
        &mut self,
        row: u32,
        cells: &[Cell<'_>],
        map: &Mapping,
    ) -> Option<(Sym, i64, Sym, Sym, i32)> {
        let get = |col: Column| {
            map.position(col)
                .and_then(|i| cells.get(i))
                .unwrap_or(&Cell::Empty)
        };
        let (id, store, product) = (
            self.text_at(row, get(Column::OrderId), Column::OrderId),
            self.text_at(row, get(Column::Store), Column::Store),
            self.text_at(row, get(Column::Product), Column::Product),
        );
        let time = read_datetime(get(Column::OrderTime)).map(dataset::timestamp);
        let quantity = match read_number(get(Column::Quantity)) {
            Ok(q) if q.unwrap_or(0.0) >= 0.0 => to_millis(q.unwrap_or(0.0)),
            _ => None,
        };
        let checks = [
            (id.is_none(), Column::OrderId, "订单ID为空 (empty order id)"),
            (
                time.is_none(),
                Column::OrderTime,
                "无法识别的下单时间 (not a date-time; use YYYY-MM-DD HH:MM[:SS])",
            ),
            (
                store.is_none(),
                Column::Store,
                "门店名称为空 (empty store name)",
            ),
            (
                product.is_none(),
                Column::Product,
                "商品名称为空 (empty product name)",
            ),
            (
                quantity.is_none(),
                Column::Quantity,
                "销量必须是不小于 0 的数字 (quantity must be a number ≥ 0)",
            ),
        ];
        for (bad, col, message) in checks {
            if bad {
                self.problem(row, col, get(col), message, Severity::Error);
            }
        }
        Some((id?, time?, store?, product?, quantity?))
    }

    /// An optional number: empty or non-numeric counts as 0 (non-numeric with a warning).
    fn money(&mut self, row: u32, cells: &[Cell<'_>], map: &Mapping, col: Column) -> i32 {
        let Some(i) = map.position(col) else {
            return NA;
        };
        let cell = cells.get(i).unwrap_or(&Cell::Empty);
        match read_number(cell).map(|v| v.map(to_cents)) {
            Ok(None) => 0,
            Ok(Some(Some(cents))) => cents,
            Ok(Some(None)) => {
                self.problem(
                    row,
                    col,
                    cell,
                    "数值超出范围,按 0 计 (out of range, counted as 0)",
                    Severity::Warning,
                );
                0
            }
            Err(()) => {
                self.problem(
                    row,
                    col,
                    cell,
                    "不是数字,按 0 计 (not a number, counted as 0)",
                    Severity::Warning,
                );
                0
            }
        }
    }

    fn text(&mut self, row: u32, cells: &[Cell<'_>], map: &Mapping, col: Column) -> Sym {
        match map.position(col).and_then(|i| cells.get(i)) {
            Some(cell) => self.text_at(row, cell, col).unwrap_or(dataset::NO_SYM),
            None => dataset::NO_SYM,
        }
    }

    /// A text cell, interned; over [`crate::limits::MAX_TEXT_CHARS`] characters it is cut, with
    /// a warning.
    fn text_at(&mut self, row: u32, cell: &Cell<'_>, col: Column) -> Option<Sym> {
        let text = read_text(cell)?;
        match cut_text(&text) {
            None => Some(self.data.strings.intern(&text)),
            Some(cut) => {
                let sym = self.data.strings.intern(cut);
                self.problem(row, col, cell, TEXT_CUT, Severity::Warning);
                Some(sym)
            }
        }
    }

    fn float(&mut self, row: u32, cells: &[Cell<'_>], map: &Mapping, col: Column) -> f32 {
        let Some(i) = map.position(col) else {
            return f32::NAN;
        };
        let cell = cells.get(i).unwrap_or(&Cell::Empty);
        match read_number(cell) {
            Ok(Some(v)) => v as f32,
            Ok(None) => f32::NAN,
            Err(()) => {
                self.problem(
                    row,
                    col,
                    cell,
                    "不是数字,已忽略 (not a number, ignored)",
                    Severity::Warning,
                );
                f32::NAN
            }
        }
    }

    fn line(&mut self, row: u32, cells: &[Cell<'_>]) {
        let Some(map) = self.mapping.take() else {
            return;
        };
        self.line_with(row, cells, &map);
        self.mapping = Some(map);
    }

    fn line_with(&mut self, row: u32, cells: &[Cell<'_>], map: &Mapping) {
        let Some((id, time, store, product, quantity)) = self.required(row, cells, map) else {
            self.rejected += 1;
            return;
        };
        let order = match self.data.find_order(store, id) {
            Some(o) => o,
            None => match self.new_order(row, cells, map, id, store, time) {
                Some(o) => o,
                None => {
                    self.too_many = true;
                    return;
                }
            },
        };
        // Read in this order: it is the order a row's problems are reported in.
        let code = self.text(row, cells, map, Column::StoreCode);
        let barcode = self.text(row, cells, map, Column::Barcode);
        let category1 = self.text(row, cells, map, Column::Category1);
        let category3 = self.text(row, cells, map, Column::Category3);
        let stock = self.float(row, cells, map, Column::Stock);
        let mut money = LINE_MONEY.map(|c| self.money(row, cells, map, c));
        derive_profit(&mut money, quantity);
        let line = Line {
            order,
            product,
            code,
            barcode,
            category1,
            category3,
            quantity,
            money,
            stock,
        };
        if !self.data.push_line(&line) {
            self.too_many = true;
        }
    }

    fn new_order(
        &mut self,
        row: u32,
        cells: &[Cell<'_>],
        map: &Mapping,
        id: Sym,
        store: Sym,
        time: i64,
    ) -> Option<u32> {
        let channel = self.text(row, cells, map, Column::Channel);
        let distance = self.float(row, cells, map, Column::Distance);
        let money = ORDER_MONEY.map(|c| self.money(row, cells, map, c));
        let text = ORDER_TEXT.map(|c| self.text(row, cells, map, c));
        self.data.push_order(&Order {
            id,
            store,
            time,
            channel,
            money,
            distance,
            text,
        })
    }

    fn finish(mut self, sheet: String) -> Result<Ingested, IngestError> {
        self.sheet = sheet;
        let file = self.file.to_owned();
        let Some(map) = self.mapping.take() else {
            return Err(match self.best.take() {
                Some((missing, found)) => IngestError::MissingColumns {
                    file,
                    sheet: self.sheet,
                    missing: missing.iter().map(|c| c.name().to_owned()).collect(),
                    found,
                },
                None => IngestError::EmptySheet {
                    file,
                    sheet: self.sheet,
                },
            });
        };
        if self.too_many {
            return Err(IngestError::TooManyLines {
                file,
                limit: self.max_lines,
            });
        }
        if self.data.line_count() == 0 && self.rejected == 0 {
            return Err(IngestError::NoLines {
                file,
                sheet: self.sheet,
                header_row: map.header_row,
            });
        }
        for &(_, col) in &map.index {
            self.data.present.insert(col);
        }
        self.data.seal();
        for p in &mut self.problems {
            p.sheet.clone_from(&self.sheet);
        }
        let report = self.report(&map);
        Ok(Ingested {
            data: self.data,
            report,
            problems: self.problems,
        })
    }

    fn report(&self, map: &Mapping) -> IngestReport {
        let missing_optional = Column::ALL
            .iter()
            .filter(|c| !c.required() && c.level() != Level::Key && map.position(**c).is_none())
            .map(|c| MissingColumn {
                column: c.name().to_owned(),
                disables: c.disables().to_owned(),
            })
            .collect();
        IngestReport {
            file_name: self.file.to_owned(),
            sheet: self.sheet.clone(),
            header_row: map.header_row,
            accepted_lines: self.data.line_count(),
            rejected_lines: self.rejected,
            orders: self.data.order_count(),
            stores: store_spans(&self.data),
            ignored_columns: map.ignored.iter().take(200).cloned().collect(),
            ignored_column_count: map.ignored.len(),
            missing_optional,
            problem_count: self.problem_count,
            warning_count: self.warning_count,
            problems: self
                .problems
                .iter()
                .take(REPORT_PROBLEMS)
                .cloned()
                .collect(),
        }
    }
}

/// Without a 利润额 column, a line's profit is 实收价格 × 销量 − 商品采购成本 (docs/data-format.md).
fn derive_profit(money: &mut [i32; 8], quantity_millis: i32) {
    const ACTUAL: usize = 0;
    const COST: usize = 3;
    const PROFIT: usize = 4;
    if money[PROFIT] != NA || money[ACTUAL] == NA {
        return;
    }
    let cost = if money[COST] == NA {
        0
    } else {
        i64::from(money[COST])
    };
    let sales = i64::from(money[ACTUAL]) * i64::from(quantity_millis) / 1000;
    money[PROFIT] = i32::try_from(sales - cost).unwrap_or(0);
}
