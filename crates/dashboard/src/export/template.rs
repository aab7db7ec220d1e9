//! The upload template: sheet 订单明细 with every column the importer knows, required ones first,
//! and two sample lines (one 美团闪购 order, one 饿了么 order) that import without a warning.

use chrono::NaiveDateTime;
use storeboard_data::schema::Column;

use super::book::Book;
use super::sheet::{Kind, Sheet};
use super::ExportError;

/// A sample cell.
#[derive(Debug, Clone, Copy)]
enum Sample {
    /// Text, also for ids and codes, so Excel keeps every digit.
    Text(&'static str),
    /// A number.
    Number(f64),
    /// A date-time, written as a real Excel date-time cell.
    Time(&'static str),
    /// Left empty, as exports do for unknown values.
    Empty,
}

use Sample::{Number as N, Text as T};

/// The two sample values of `col`. The match has no catch-all on purpose: a new column does not
/// compile until the template has realistic values for it.
fn samples(col: Column) -> [Sample; 2] {
    match col {
        Column::OrderId => [T("3826112700100110479"), T("5071892736450012345")],
        Column::OrderTime => [
            Sample::Time("2026-11-27T09:07:13"),
            Sample::Time("2026-11-27T21:11:47"),
        ],
        Column::Store => [T("一号店"), T("一号店")],
        Column::Product => [T("可口可乐 330ml"), T("伊利纯牛奶 250ml*24")],
        Column::Quantity => [N(2.0), N(1.0)],
        Column::Channel => [T("美团闪购"), T("饿了么")],
        Column::ActualPrice => [N(2.8), N(59.9)],
        Column::SalePrice => [N(3.0), N(59.9)],
        Column::OriginalPrice => [N(3.5), N(69.9)],
        Column::Cost => [N(3.48), N(39.77)],
        Column::Profit => [N(2.12), N(20.13)],
        Column::ServiceFee => [N(0.45), N(4.79)],
        Column::Commission => [N(0.45), N(4.79)],
        Column::DeliveryFee => [N(5.0), N(6.5)],
        Column::UserDeliveryFee => [N(3.0), N(4.0)],
        Column::DeliveryDiscount => [N(1.0), N(0.0)],
        Column::FullReduction => [N(0.0), N(5.0)],
        Column::ProductDiscount => [N(0.4), N(10.0)],
        Column::MerchantVoucher => [N(0.0), N(0.0)],
        Column::MerchantCoupon => [N(0.0), N(2.0)],
        Column::GiftAmount => [N(0.0), N(0.0)],
        Column::OtherDiscount => [N(0.0), N(0.0)],
        Column::NewCustomerDiscount => [N(0.0), N(0.0)],
        Column::PackagingFee => [N(0.5), N(0.5)],
        Column::CorporateRebate => [N(0.0), N(0.0)],
        Column::ExpectedIncome => [N(5.6), N(52.9)],
        Column::Category1 => [T("饮料"), T("乳品")],
        Column::Category3 => [T("碳酸饮料"), T("纯牛奶")],
        Column::StoreCode => [T("100001"), T("100076")],
        Column::Barcode => [T("6901939621257"), T("6907992100272")],
        Column::Stock => [N(26.0), Sample::Empty],
        Column::Distance => [N(1200.0), N(2300.0)],
        Column::Address => [T("上海市浦东新区张杨路88号"), T("上海市浦东新区源深路1号")],
        Column::DeliveryPlatform => [T("美团专送"), T("蜂鸟专送")],
        Column::City => [T("上海"), T("上海")],
        Column::StoreId => [T("10086"), T("10086")],
    }
}

/// The template workbook.
pub(super) fn workbook() -> Result<Vec<u8>, ExportError> {
    let mut book = Book::new("template")?;
    let mut sheet = book.sheet("订单明细");
    // Column::ALL lists required columns first already; sorting keeps that true if it changes.
    let mut cols = Column::ALL.to_vec();
    cols.sort_by_key(|c| !c.required());
    sheet.header(0, cols.iter().map(|c| c.name()))?;
    for row in 0..2 {
        for (c, &col) in (0..).zip(&cols) {
            write(&mut sheet, row + 1, c, samples(col)[row as usize])?;
        }
    }
    sheet.freeze(1, 0)?;
    book.push(sheet)?;
    book.bytes()
}

fn write(sheet: &mut Sheet, row: u32, col: u16, sample: Sample) -> Result<(), ExportError> {
    match sample {
        Sample::Text(s) => sheet.text(row, col, s),
        Sample::Number(x) => sheet.number(row, col, x, Kind::Num),
        Sample::Time(t) => {
            let time = t.parse::<NaiveDateTime>().map_err(|e| ExportError::Shape {
                tab: "template",
                detail: format!("sample time {t}: {e}"),
            })?;
            sheet.date_time(row, col, time)
        }
        Sample::Empty => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::Data;
    use storeboard_data::IngestOptions;

    use super::super::testkit::{cell, read, texts};
    use super::*;

    #[test]
    fn template_lists_required_columns_first_then_every_optional_one() -> Result<(), ExportError> {
        let wb = read(&workbook()?);
        assert_eq!(wb.names(), ["订单明细"]);
        let s = wb.sheet("订单明细");
        let header = texts(s, 0);
        assert_eq!(
            header[..5],
            ["订单ID", "下单时间", "门店名称", "商品名称", "销量"]
        );
        assert_eq!(header.len(), Column::ALL.len());
        assert_eq!(cell(s, 1, 0), Data::String("3826112700100110479".into()));
        assert!(matches!(cell(s, 1, 1), Data::DateTime(_)));
        assert_eq!(workbook()?, workbook()?, "the same bytes every time");
        Ok(())
    }

    #[test]
    fn template_imports_two_lines_without_missing_columns_or_problems() -> Result<(), ExportError> {
        let bytes = workbook()?;
        let ingested = storeboard_data::ingest(
            Cursor::new(bytes),
            "template.xlsx",
            &IngestOptions::default(),
        )
        .expect("the template imports");
        let report = &ingested.report;
        assert_eq!(report.accepted_lines, 2);
        assert_eq!(report.rejected_lines, 0);
        assert!(
            report.missing_optional.is_empty(),
            "{:?}",
            report.missing_optional
        );
        assert!(
            report.ignored_columns.is_empty(),
            "{:?}",
            report.ignored_columns
        );
        assert_eq!((report.problem_count, report.warning_count), (0, 0));
        Ok(())
    }
}
