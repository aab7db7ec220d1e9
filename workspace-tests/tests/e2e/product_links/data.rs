//! The data of the link tests: a generated export of two stores whose first four products get
//! 店内码 that need encoding, written as one sheet and uploaded; what it holds; the filters
//! the tabs are rendered with.

use std::collections::{BTreeMap, BTreeSet};

use rust_xlsxwriter::Workbook;
use storeboard_fixtures as fx;

use crate::dashboard::{day, query};
use crate::support::app::{AppServer, Part};

/// The stores: one whose name needs form-encoding, one plain.
pub(super) const S1: &str = "链接一号店 A&B";
pub(super) const S2: &str = "链接二号店";
/// The period of the data.
pub(super) const FROM: &str = "2026-11-01";
pub(super) const TO: &str = "2026-11-14";
/// The 店内码 given to the first four products of the file.
pub(super) const AWKWARD: [&str; 4] = ["a/b", "x?y#z", "50%", "可乐 330ml"];

/// What the uploaded file holds: per product key, its names; the channels.
pub(super) struct Catalog {
    pub(super) names: BTreeMap<String, BTreeSet<String>>,
    pub(super) channels: BTreeSet<String>,
}

impl Catalog {
    pub(super) fn is_name(&self, text: &str) -> bool {
        self.names.values().any(|n| n.contains(text))
    }
}

/// The lines of the export, the first four products (by first appearance) recoded with
/// [`AWKWARD`] keys; each line's key is its 店内码, else its 条码, else its name.
fn lines() -> Vec<(fx::Line, String)> {
    let spec = fx::ExportSpec {
        stores: vec![S1.to_owned(), S2.to_owned()],
        start: day(FROM),
        days: 14,
        orders_per_store_day: 10,
        seed: 23,
        ..fx::ExportSpec::default()
    };
    let mut recoded: Vec<&str> = Vec::new();
    fx::lines(&spec)
        .into_iter()
        .map(|l| {
            let known = recoded.iter().position(|n| *n == l.product_name);
            let awkward = match known {
                Some(i) => Some(AWKWARD[i]),
                None if recoded.len() < AWKWARD.len() && l.category1 != "耗材" => {
                    recoded.push(l.product_name);
                    Some(AWKWARD[recoded.len() - 1])
                }
                None => None,
            };
            let key = [awkward.unwrap_or(l.store_code), l.barcode, l.product_name]
                .into_iter()
                .find(|k| !k.is_empty())
                .unwrap_or_default()
                .to_owned();
            (l, key)
        })
        .collect()
}

/// One sheet: a header, then each line with `key` as its 店内码.
fn workbook(lines: &[(fx::Line, String)]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let texts = [
        "订单ID",
        "下单时间",
        "门店名称",
        "商品名称",
        "店内码",
        "条码",
        "渠道",
    ];
    let texts_after = ["一级分类名", "三级分类名", "收货地址"];
    let numbers = [
        "销量",
        "实收价格",
        "商品实售价",
        "商品原价",
        "商品采购成本",
        "利润额",
        "平台服务费",
        "平台佣金",
        "物流配送费",
        "用户支付配送费",
        "剩余库存",
    ];
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in (0..).zip(texts.iter().chain(&numbers).chain(&texts_after)) {
        sheet.write_string(0, c, *h)?;
    }
    for (r, (l, key)) in (1..).zip(lines) {
        let time = l.time.format("%Y-%m-%d %H:%M:%S").to_string();
        let row = [
            &l.order_id,
            &time,
            &l.store,
            l.product_name,
            key,
            l.barcode,
            l.channel,
        ];
        for (c, t) in (0..).zip(row) {
            sheet.write_string(r, c, t)?;
        }
        let values = [
            f64::from(l.quantity),
            l.actual_price,
            l.sale_price,
            l.original_price,
            l.cost,
            l.profit,
            l.service_fee,
            l.commission,
            l.delivery_fee,
            l.user_delivery_fee,
            f64::from(l.stock),
        ];
        for (c, n) in (7..).zip(values) {
            sheet.write_number(r, c, n)?;
        }
        for (c, t) in (18..).zip([l.category1, l.category3, l.address.as_str()]) {
            sheet.write_string(r, c, t)?;
        }
    }
    book.save_to_buffer()
}

/// The server with the file uploaded (every line accepted), and what the file holds.
pub(super) fn seeded() -> (AppServer, Catalog) {
    let lines = lines();
    let bytes = workbook(&lines).unwrap_or_else(|e| panic!("writing the workbook: {e}"));
    let server = AppServer::start();
    let records = server.upload_ok(&[Part::file("链接.xlsx", bytes)]);
    let report = &records[0]["report"];
    assert_eq!(report["accepted_lines"], lines.len(), "{report}");
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (l, key) in &lines {
        names
            .entry(key.clone())
            .or_default()
            .insert(l.product_name.to_owned());
    }
    let channels = lines.iter().map(|(l, _)| l.channel.to_owned()).collect();
    let catalog = Catalog { names, channels };
    (server, catalog)
}

/// The filter sets the tabs are rendered with: the period; one store; one store and channel.
pub(super) fn filter_sets(c: &Catalog) -> Vec<Vec<(&'static str, String)>> {
    let period = vec![("from", FROM.to_owned()), ("to", TO.to_owned())];
    let channel = c.channels.iter().next().cloned().unwrap_or_default();
    let store = [vec![("store", S1.to_owned())], period.clone()].concat();
    let both = [store.clone(), vec![("channel", channel)]].concat();
    vec![period, store, both]
}

pub(super) fn query_of(filters: &[(&str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = filters.iter().map(|(k, v)| (*k, v.as_str())).collect();
    query(&pairs)
}

pub(super) fn map_of(filters: &[(&str, String)]) -> BTreeMap<String, String> {
    filters
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}
