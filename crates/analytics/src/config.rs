//! Business rules that vary between chains: the `[business]` section of the TOML file.

use serde::{Deserialize, Serialize};

use crate::pricing::PricingRules;
use crate::stores::StoreRules;
use crate::today::churn::ChurnRules;
use crate::today::health::HealthRules;
use crate::today::TodayRules;

/// The business configuration; `Default` is today's rules (docs/metrics.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Business {
    /// Platform channels whose orders are dropped when their platform fee is ≤ 0.
    pub fee_channels: Vec<String>,
    /// Channels left out of the channel comparison cards.
    pub channel_cards_exclude: Vec<String>,
    /// 一级分类名 value marking consumables (bags).
    pub consumable_category: String,
    /// Margin (%) at or above which a product counts as high-margin in the quadrants.
    pub high_margin_pct: f64,
    /// 配送净成本 above which an order is flagged 高配送费 (yuan).
    pub delivery_cost_alert: f64,
    /// Scene keywords: a product whose name contains a keyword belongs to that scene.
    pub scene_keywords: Vec<SceneKeywords>,
    /// Category → scene, for products no keyword matched: an exact 一级分类名 first, else the
    /// first entry whose name the category contains, else the first whose name contains the
    /// category (two characters or more).
    pub category_scenes: Vec<CategoryScene>,
    /// 今日必做's 商品健康 (six quadrants): `[business.health]`.
    pub health: HealthRules,
    /// 今日必做's 客户流失预警: `[business.churn]`.
    pub churn: ChurnRules,
    /// 今日必做's card thresholds: `[business.today]`.
    pub today: TodayRules,
    /// 智能调价 and the product page's break-even and elasticity: `[business.pricing]`.
    pub pricing: PricingRules,
    /// 门店对比's flags: `[business.stores]`.
    pub stores: StoreRules,
}

/// Keywords of one scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SceneKeywords {
    /// The scene (早餐).
    pub scene: String,
    /// Words in product names (豆浆, 包子).
    pub keywords: Vec<String>,
}

/// One category's scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryScene {
    /// 一级分类名.
    pub category: String,
    /// The scene.
    pub scene: String,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

impl Default for Business {
    fn default() -> Self {
        let scene = |scene: &str, keywords: &[&str]| SceneKeywords {
            scene: scene.to_owned(),
            keywords: strings(keywords),
        };
        let category = |category: &str, scene: &str| CategoryScene {
            category: category.to_owned(),
            scene: scene.to_owned(),
        };
        Self {
            fee_channels: strings(&[
                "饿了么",
                "京东到家",
                "美团闪购",
                "美团共橙",
                "抖音",
                "抖音直播",
                "淘鲜达",
                "京东秒送",
                "美团咖啡店",
                "饿了么咖啡店",
            ]),
            channel_cards_exclude: strings(&[
                "收银机订单",
                "闪购小程序",
                "美团咖啡店",
                "饿了么咖啡店",
                "美团咖啡",
                "饿了么咖啡",
            ]),
            consumable_category: "耗材".to_owned(),
            high_margin_pct: 30.0,
            delivery_cost_alert: 6.0,
            scene_keywords: vec![
                scene(
                    "早餐",
                    &["豆浆", "包子", "牛奶", "面包", "鸡蛋", "燕麦", "酸奶"],
                ),
                scene(
                    "夜宵",
                    &["啤酒", "小龙虾", "鸭脖", "卤", "烧烤", "泡面", "方便面"],
                ),
                scene(
                    "日用补充",
                    &["纸巾", "洗衣液", "牙膏", "洗发", "垃圾袋", "电池"],
                ),
                scene("休闲零食", &["薯片", "饼干", "巧克力", "糖", "坚果"]),
                scene(
                    "饮品解渴",
                    &["可乐", "雪碧", "矿泉水", "饮料", "茶", "果汁", "咖啡"],
                ),
            ],
            health: HealthRules::default(),
            churn: ChurnRules::default(),
            today: TodayRules::default(),
            pricing: PricingRules::default(),
            stores: StoreRules::default(),
            // Matched on 一级分类名: an exact name first, else the first entry whose name the
            // category contains (饮料 in 碳酸饮料), else the first entry whose name contains the
            // category (饮料 in 酒水饮料; categories of two characters or more).
            category_scenes: vec![
                category("酒水饮料", "饮品解渴"),
                category("休闲食品", "休闲零食"),
                category("日用百货", "日用补充"),
                category("个人护理", "日用补充"),
                category("乳品烘焙", "早餐"),
                category("方便速食", "夜宵"),
                category("饮品", "饮品解渴"),
                category("饮料", "饮品解渴"),
                category("冲调", "饮品解渴"),
                category("酒类", "夜宵"),
                category("酒水", "夜宵"),
                category("零食", "休闲零食"),
                category("休闲", "休闲零食"),
                category("糖果", "休闲零食"),
                category("坚果", "休闲零食"),
                category("冰品", "休闲零食"),
                category("雪糕", "休闲零食"),
                category("速食", "夜宵"),
                category("罐头", "夜宵"),
                category("熟食", "夜宵"),
                category("洗护", "日用补充"),
                category("个护", "日用补充"),
                category("清洁", "日用补充"),
                category("日用", "日用补充"),
                category("纸品", "日用补充"),
                category("母婴", "日用补充"),
                category("宠物", "日用补充"),
                category("乳品", "早餐"),
                category("乳制品", "早餐"),
                category("早餐", "早餐"),
                category("烘焙", "早餐"),
                category("面包", "早餐"),
                category("粮油", "居家做饭"),
                category("调味", "居家做饭"),
                category("干货", "居家做饭"),
                category("生鲜", "居家做饭"),
                category("蔬菜", "居家做饭"),
                category("水果", "居家做饭"),
                category("肉", "居家做饭"),
                category("水产", "居家做饭"),
                category("冷冻", "居家做饭"),
                category("冻品", "居家做饭"),
                category("速冻", "居家做饭"),
            ],
        }
    }
}
