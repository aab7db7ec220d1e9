//! The columns of an order export: canonical names, aliases, level and type (docs/data-format.md §2).

/// Whether a column's value belongs to the order (same on every line) or to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The key that groups lines into orders.
    Key,
    /// Order-level: the first line of the order wins.
    Order,
    /// Line-level: summed over lines unless noted.
    Line,
}

/// How a cell of the column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Text, kept as written (trimmed); integers in numeric cells become their digits.
    Text,
    /// A number; non-numeric text counts as 0 with a warning.
    Number,
    /// A date-time: Excel serial, date cell, or text `YYYY-MM-DD HH:MM[:SS]`, `YYYY/M/D`.
    DateTime,
}

macro_rules! columns {
    ($( $var:ident = $name:literal, [$($alias:literal),*], $level:ident, $kind:ident, $required:literal, $disables:literal; )*) => {
        /// One known column.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(missing_docs)]
        pub enum Column { $( $var, )* }

        impl Column {
            /// Every known column, required ones first.
            pub const ALL: &'static [Column] = &[ $( Column::$var, )* ];

            /// The canonical (Chinese) header.
            pub fn name(self) -> &'static str {
                match self { $( Column::$var => $name, )* }
            }

            /// Other headers that mean this column.
            pub fn aliases(self) -> &'static [&'static str] {
                match self { $( Column::$var => &[$($alias),*], )* }
            }

            /// Order- or line-level.
            pub fn level(self) -> Level {
                match self { $( Column::$var => Level::$level, )* }
            }

            /// How cells are read.
            pub fn kind(self) -> ValueKind {
                match self { $( Column::$var => ValueKind::$kind, )* }
            }

            /// A file without this column is rejected.
            pub fn required(self) -> bool {
                match self { $( Column::$var => $required, )* }
            }

            /// The figures that cannot be computed without this column (empty for required ones).
            pub fn disables(self) -> &'static str {
                match self { $( Column::$var => $disables, )* }
            }
        }
    };
}

columns! {
    OrderId = "订单ID", ["订单号", "order_id", "orderId"], Key, Text, true, "";
    OrderTime = "下单时间", ["日期", "时间", "创建时间", "date", "timestamp"], Order, DateTime, true, "";
    Store = "门店名称", ["店名", "store_name", "shop_name"], Order, Text, true, "";
    Product = "商品名称", ["名称", "商品", "product_name", "name"], Line, Text, true, "";
    Quantity = "销量", ["月售", "月销量", "quantity", "sales_volume"], Line, Number, true, "";
    Channel = "渠道", ["平台", "订单渠道", "销售渠道", "来源渠道", "channel", "platform"], Order, Text, false, "渠道对比、渠道筛选、平台服务费过滤";
    ActualPrice = "实收价格", ["实付价格", "客户实付", "actual_price"], Line, Number, false, "商品实收额、客单价、利润率(及缺少利润额时的利润)";
    SalePrice = "商品实售价", ["实售价", "售价", "现价", "price"], Line, Number, false, "售价分析";
    OriginalPrice = "商品原价", ["原价", "original_price"], Line, Number, false, "折扣分析";
    Cost = "商品采购成本", ["成本", "进货价", "cost"], Line, Number, false, "商品成本率、价格异常(及缺少利润额时的利润)";
    Profit = "利润额", ["实际利润", "profit"], Line, Number, false, "利润(改用 实收价格 × 销量 − 商品采购成本)";
    ServiceFee = "平台服务费", [], Line, Number, false, "平台服务费(改用平台佣金)";
    Commission = "平台佣金", ["佣金", "commission"], Order, Number, false, "平台服务费的后备值";
    DeliveryFee = "物流配送费", ["配送费", "delivery_fee"], Order, Number, false, "订单实际利润中的配送成本、配送净成本";
    UserDeliveryFee = "用户支付配送费", [], Order, Number, false, "配送净成本";
    DeliveryDiscount = "配送费减免金额", [], Order, Number, false, "配送净成本";
    FullReduction = "满减金额", [], Order, Number, false, "营销成本";
    ProductDiscount = "商品减免金额", [], Order, Number, false, "营销成本、商品减免率";
    MerchantVoucher = "商家代金券", [], Order, Number, false, "营销成本";
    MerchantCoupon = "商家承担部分券", [], Order, Number, false, "营销成本";
    GiftAmount = "满赠金额", [], Order, Number, false, "营销成本";
    OtherDiscount = "商家其他优惠", [], Order, Number, false, "营销成本";
    NewCustomerDiscount = "新客减免金额", [], Order, Number, false, "营销成本";
    PackagingFee = "打包袋金额", [], Order, Number, false, "打包袋收入";
    CorporateRebate = "企客后返", [], Line, Number, false, "企客后返(订单实际利润、配送净成本)";
    ExpectedIncome = "预计订单收入", ["订单零售额"], Line, Number, false, "预计订单收入";
    Category1 = "一级分类名", ["一级分类", "美团一级分类"], Line, Text, false, "品类分析、耗材识别";
    Category3 = "三级分类名", [], Line, Text, false, "三级品类、场景识别";
    StoreCode = "店内码", ["内码"], Line, Text, false, "按店内码识别商品(改用条码或商品名称)";
    Barcode = "条码", ["barcode", "sku", "商品编码"], Line, Text, false, "按条码识别商品";
    Stock = "剩余库存", ["库存", "stock"], Line, Number, false, "库存预警、缺货与滞销提醒";
    Distance = "配送距离", ["距离", "distance"], Order, Number, false, "配送距离分析";
    Address = "收货地址", [], Order, Text, false, "收货地址";
    DeliveryPlatform = "配送平台", [], Order, Text, false, "配送平台";
    City = "城市名称", [], Order, Text, false, "城市";
    StoreId = "门店ID", [], Order, Text, false, "门店ID";
}

/// Headers longer than this (in characters, white space included) name no column.
const MAX_HEADER_CHARS: usize = 64;

/// The normal form a header is compared in: trimmed, inner spaces removed, Latin letters in
/// lower case, full-width brackets as half-width.
pub fn normalize_header(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '【' => '[',
            '】' => ']',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

impl Column {
    /// The column a header names, if any.
    pub fn from_header(raw: &str) -> Option<Column> {
        // The longest name or alias is a few dozen bytes: a longer cell is no header, and is
        // not copied to find that out.
        if raw.len() > 4 * MAX_HEADER_CHARS {
            return None;
        }
        let wanted = normalize_header(raw);
        if wanted.is_empty() {
            return None;
        }
        // Normalised once: the header search tries up to thousands of cells a row.
        static NAMES: std::sync::LazyLock<Vec<(String, Column)>> = std::sync::LazyLock::new(|| {
            Column::ALL
                .iter()
                .flat_map(|&col| {
                    std::iter::once(col.name())
                        .chain(col.aliases().iter().copied())
                        .map(move |name| (normalize_header(name), col))
                })
                .collect()
        });
        NAMES
            .iter()
            .find(|(name, _)| *name == wanted)
            .map(|&(_, col)| col)
    }

    /// The required columns.
    pub fn required_columns() -> impl Iterator<Item = Column> {
        Column::ALL.iter().copied().filter(|c| c.required())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_maps_to_its_canonical_column() {
        for &col in Column::ALL {
            assert_eq!(Column::from_header(col.name()), Some(col));
            for alias in col.aliases() {
                assert_eq!(Column::from_header(alias), Some(col), "{alias}");
            }
        }
    }

    #[test]
    fn header_matching_ignores_spaces_case_and_bracket_width() {
        assert_eq!(Column::from_header("  Order_ID "), Some(Column::OrderId));
        assert_eq!(Column::from_header("订单 ID"), Some(Column::OrderId));
        assert_eq!(normalize_header("实收（元）"), "实收(元)");
        assert_eq!(Column::from_header("备注"), None);
        assert_eq!(Column::from_header(""), None);
    }

    #[test]
    fn no_alias_is_claimed_by_two_columns() {
        let mut seen = std::collections::HashMap::new();
        for &col in Column::ALL {
            for name in std::iter::once(&col.name()).chain(col.aliases()) {
                if let Some(other) = seen.insert(normalize_header(name), col) {
                    panic!("{name} claimed by {other:?} and {col:?}");
                }
            }
        }
    }

    #[test]
    fn five_columns_are_required() {
        let required: Vec<_> = Column::required_columns().map(Column::name).collect();
        assert_eq!(
            required,
            ["订单ID", "下单时间", "门店名称", "商品名称", "销量"]
        );
    }
}
