//! 商品分析: every product, one sheet per ranking, the quadrants and the inventory warnings.

use serde_json::Value;
use storeboard_tabs::Tab;

use super::columns::PRODUCT;
use crate::export::book::Book;
use crate::export::sheet::{col, Col, Kind};
use crate::export::ExportError;

/// The rankings: sheet name and field under `rankings`.
const RANKINGS: [(&str, &str); 5] = [
    ("销售额排行", "by_sales"),
    ("利润额排行", "by_profit"),
    ("利润率排行", "by_margin"),
    ("销量排行", "by_quantity"),
    ("订单数排行", "by_orders"),
];

/// The inventory lists: what the 预警类型 column says and field under `inventory_warnings`.
const WARNINGS: [(&str, &str); 3] = [
    ("缺货", "out_of_stock"),
    ("滞销", "slow_moving"),
    ("畅销缺货", "hot_low_stock"),
];

/// What each quadrant means (docs/metrics.md, 商品分析).
const QUADRANT_RULES: [(&str, &str); 4] = [
    ("明星", "高利润率 · 高销量"),
    ("潜力", "高利润率 · 低销量"),
    ("引流", "低利润率 · 高销量"),
    ("淘汰", "低利润率 · 低销量"),
];

/// The inventory workbook's sheets: name and the list's path in the tab's JSON.
pub(crate) const INVENTORY_SHEETS: [(&str, &str); 5] = [
    ("缺货", "inventory_warnings.out_of_stock"),
    ("滞销", "inventory_warnings.slow_moving"),
    ("低周转", "low_turnover.rows"),
    ("畅销缺货", "inventory_warnings.hot_low_stock"),
    ("全部", "products"),
];

/// The inventory workbook (`/export/products.xlsx?book=inventory`): one sheet per list of
/// [`INVENTORY_SHEETS`], every row of it, with the product columns.
pub(crate) fn inventory_workbook(json: &Value) -> Result<Vec<u8>, ExportError> {
    let mut book = Book::new(Tab::Products.name())?;
    for (name, path) in INVENTORY_SHEETS {
        book.table_sheet(name, json, path, PRODUCT)?;
    }
    book.bytes()
}

/// The products workbook.
pub(super) fn workbook(json: &Value) -> Result<Vec<u8>, ExportError> {
    let mut book = Book::new(Tab::Products.name())?;
    book.table_sheet("商品明细", json, "products", PRODUCT)?;
    rankings(&mut book, json)?;
    quadrants(&mut book, json)?;
    warnings(&mut book, json)?;
    book.bytes()
}

/// One sheet per ranking, each with its 排名.
fn rankings(book: &mut Book, json: &Value) -> Result<(), ExportError> {
    let cols = with_first(col("排名", "rank", Kind::Int));
    for (name, field) in RANKINGS {
        let path = format!("rankings.{field}");
        let rows = book.array(json, &path)?;
        let ranked = tagged(book, rows, &path, "rank", |i| Value::from(i + 1))?;
        let mut sheet = book.sheet(name);
        sheet.table(0, &cols, &ranked, &path)?;
        sheet.freeze(1, 0)?;
        book.push(sheet)?;
    }
    Ok(())
}

/// 四象限: products per quadrant, then the thresholds that drew the quadrants.
fn quadrants(book: &mut Book, json: &Value) -> Result<(), ExportError> {
    let counts = book.array(json, "quadrants.counts")?;
    let mut sheet = book.sheet("四象限");
    let cols = [
        col("象限", "quadrant", Kind::Text),
        col("商品数", "count", Kind::Int),
    ];
    let mut row = sheet.table(0, &cols, counts, "quadrants.counts")?;
    sheet.label(0, 2, "含义")?;
    for (r, item) in (1..).zip(counts) {
        let rule = QUADRANT_RULES
            .iter()
            .find(|(q, _)| item.get("quadrant").and_then(Value::as_str) == Some(q));
        if let Some((_, rule)) = rule {
            sheet.text(r, 2, rule)?;
        }
    }
    row += 1;
    let thresholds = [
        ("高利润率阈值(%)", "quadrants.high_margin_pct", Kind::Pct),
        ("销量中位数", "quadrants.median_quantity", Kind::Qty),
    ];
    for (label, path, kind) in thresholds {
        sheet.label(row, 0, label)?;
        sheet.value(row, 1, book.get(json, path)?, kind, &|| path.to_owned())?;
        row += 1;
    }
    sheet.freeze(1, 0)?;
    book.push(sheet)
}

/// 库存预警: the thresholds of 畅销缺货, then the three lists in one table.
fn warnings(book: &mut Book, json: &Value) -> Result<(), ExportError> {
    let mut sheet = book.sheet("库存预警");
    let thresholds = [
        ("畅销线: 销量75分位", "inventory_warnings.quantity_p75"),
        ("低库存线: 库存25分位", "inventory_warnings.stock_p25"),
    ];
    for (row, (label, path)) in (0..).zip(thresholds) {
        sheet.label(row, 0, label)?;
        sheet.value(row, 1, book.get(json, path)?, Kind::Qty, &|| {
            path.to_owned()
        })?;
    }
    let mut rows = Vec::new();
    for (list, field) in WARNINGS {
        let path = format!("inventory_warnings.{field}");
        let items = book.array(json, &path)?;
        rows.extend(tagged(book, items, &path, "list", |_| Value::from(list))?);
    }
    let cols = with_first(col("预警类型", "list", Kind::Text));
    sheet.table(3, &cols, &rows, "inventory_warnings")?;
    sheet.freeze(4, 0)?;
    book.push(sheet)
}

/// `first`, then the product columns.
fn with_first(first: Col) -> Vec<Col> {
    std::iter::once(first)
        .chain(PRODUCT.iter().copied())
        .collect()
}

/// Copies of the objects `rows` (at `path`) with `key` set to `value(index)`.
fn tagged(
    book: &Book,
    rows: &[Value],
    path: &str,
    key: &str,
    value: impl Fn(usize) -> Value,
) -> Result<Vec<Value>, ExportError> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let mut row = row.clone();
            let object = row
                .as_object_mut()
                .ok_or_else(|| book.shape(format!("{path}[{i}] is not an object")))?;
            object.insert(key.to_owned(), value(i));
            Ok(row)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use calamine::Data;
    use serde_json::json;

    use super::*;
    use crate::export::testkit::{cell, num, read, texts};

    fn product(key: &str, name: &str, sales: f64, stock: Option<f64>) -> Value {
        json!({
            "key": key, "name": name, "category": "饮料", "sales": sales, "cost": sales * 0.7,
            "profit": sales * 0.3, "quantity": 12.0, "recent_quantity": 1.5, "orders": 9,
            "stock": stock, "avg_price": sales / 12.0, "margin_pct": 30.0, "quadrant": "明星",
            "activity": 0.5, "days_sold": 3, "turnover_days": null, "abc": "A",
        })
    }

    fn products() -> Value {
        let cola = product("100001", "可口可乐 330ml", 120.0, Some(0.0));
        let formula = product("100002", "=1+1", 60.0, None);
        let counts: Vec<Value> = ["明星", "潜力", "引流", "淘汰"]
            .iter()
            .zip([2, 0, 0, 0])
            .map(|(q, n)| json!({"quadrant": q, "count": n}))
            .collect();
        json!({
            "filters": {"store": null, "from": "2026-11-01", "to": "2026-11-07", "channel": null},
            "empty": false,
            "products": [cola, formula],
            "rankings": {"by_sales": [cola, formula], "by_profit": [cola], "by_margin": [],
                         "by_quantity": [formula, cola], "by_orders": [cola]},
            "quadrants": {"high_margin_pct": 30.0, "median_quantity": 12.0, "counts": counts},
            "inventory_warnings": {"out_of_stock": [cola], "slow_moving": [], "hot_low_stock": [cola],
                                   "quantity_p75": 12.0, "stock_p25": null},
            "low_turnover": {"threshold_days": 30.0, "rows": [formula, cola]},
        })
    }

    #[test]
    fn products_export_lists_details_rankings_quadrants_and_warnings() -> Result<(), ExportError> {
        let wb = read(&workbook(&products())?);
        assert_eq!(
            wb.names(),
            [
                "商品明细",
                "销售额排行",
                "利润额排行",
                "利润率排行",
                "销量排行",
                "订单数排行",
                "四象限",
                "库存预警"
            ]
        );
        let s = wb.sheet("商品明细");
        assert_eq!(
            texts(s, 0),
            PRODUCT.iter().map(|c| c.header).collect::<Vec<_>>()
        );
        assert_eq!((num(s, 1, 3), num(s, 1, 7)), (120.0, 1.5));
        assert_eq!(cell(s, 2, 9), Data::Empty, "a null stock is no 0");
        let s = wb.sheet("销量排行");
        assert_eq!(texts(s, 0)[..3], ["排名", "商品编码", "商品名称"]);
        assert_eq!(
            (num(s, 2, 0), texts(s, 2)[2].as_str()),
            (2.0, "可口可乐 330ml")
        );
        Ok(())
    }

    #[test]
    fn the_inventory_workbook_has_five_sheets_of_every_row() -> Result<(), ExportError> {
        let wb = read(&inventory_workbook(&products())?);
        assert_eq!(wb.names(), ["缺货", "滞销", "低周转", "畅销缺货", "全部"]);
        // Rows under the header: 缺货 1, 滞销 0, 低周转 2, 畅销缺货 1, 全部 2.
        let rows = |name: &str| wb.sheet(name).height().saturating_sub(1);
        let counts: Vec<usize> = wb.names().iter().map(|n| rows(n)).collect();
        assert_eq!(counts, [1, 0, 2, 1, 2]);
        assert_eq!(texts(wb.sheet("低周转"), 1)[1], "=1+1");
        Ok(())
    }

    #[test]
    fn a_product_named_like_a_formula_stays_a_string() -> Result<(), ExportError> {
        let wb = read(&workbook(&products())?);
        assert_eq!(
            cell(wb.sheet("商品明细"), 2, 1),
            Data::String("=1+1".into())
        );
        assert_eq!(
            cell(wb.sheet("销售额排行"), 2, 2),
            Data::String("=1+1".into())
        );
        Ok(())
    }

    #[test]
    fn quadrants_and_warnings_carry_their_thresholds() -> Result<(), ExportError> {
        let wb = read(&workbook(&products())?);
        let s = wb.sheet("四象限");
        assert_eq!(texts(s, 0), ["象限", "商品数", "含义"]);
        assert_eq!(
            (num(s, 1, 1), texts(s, 1)[2].as_str()),
            (2.0, "高利润率 · 高销量")
        );
        assert_eq!(
            (texts(s, 6)[0].as_str(), num(s, 6, 1)),
            ("高利润率阈值(%)", 30.0)
        );
        let s = wb.sheet("库存预警");
        assert_eq!(num(s, 0, 1), 12.0);
        assert_eq!(cell(s, 1, 1), Data::Empty);
        assert_eq!(texts(s, 3)[..2], ["预警类型", "商品编码"]);
        assert_eq!(texts(s, 4)[0], "缺货");
        assert_eq!(texts(s, 5)[0], "畅销缺货");
        Ok(())
    }
}
