//! Chinese text for synthetic rows: enterprise names, people, visit notes, demand titles.

use rand::Rng;
use rand::rngs::StdRng;

const PLACES: [&str; 12] = [
    "南昌",
    "九江",
    "赣州",
    "吉安",
    "宜春",
    "抚州",
    "上饶",
    "景德镇",
    "萍乡",
    "新余",
    "鹰潭",
    "江西",
];
const BRANDS: [&str; 24] = [
    "赣安",
    "洪都",
    "井冈",
    "庐山",
    "鄱湖",
    "赣江",
    "章贡",
    "滕王",
    "匡庐",
    "武功",
    "三清",
    "龙虎",
    "明月",
    "仙女湖",
    "瑞金",
    "青原",
    "抚河",
    "信江",
    "昌北",
    "红谷",
    "浔阳",
    "袁州",
    "临川",
    "玉山",
];
const TRADES: [&str; 16] = [
    "应急装备",
    "安全防护",
    "消防科技",
    "救援装备",
    "监测技术",
    "应急通信",
    "防灾减灾",
    "医疗救援",
    "智能预警",
    "特种车辆",
    "净水设备",
    "应急照明",
    "防护用品",
    "安防科技",
    "应急电源",
    "环境监测",
];
const FORMS: [&str; 3] = ["有限公司", "股份有限公司", "科技有限公司"];
const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "伟", "芳", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明",
];
const PRODUCTS: [&str; 12] = [
    "救生衣",
    "正压式呼吸器",
    "应急照明灯",
    "防护服",
    "卫星电话",
    "无人机",
    "救援机器人",
    "移动电源车",
    "净水装置",
    "监测传感器",
    "折叠帐篷",
    "急救包",
];
const SUMMARIES: [&str; 6] = [
    "走访了解企业生产经营情况，企业订单饱满",
    "座谈了解企业技术改造进展和资金需求",
    "实地查看新建生产线，听取企业发展规划",
    "电话回访政策落实情况，企业反映良好",
    "视频会议了解出口订单和物流情况",
    "调研企业研发投入及人才引进情况",
];
const DEMANDS: [&str; 9] = [
    "申请流动资金贷款贴息",
    "新增用地指标",
    "引进高层次技术人才",
    "拓展省外市场渠道",
    "申报省级技术中心",
    "落实首台套保险补偿政策",
    "办理生产许可证延续",
    "园区道路和供电配套",
    "其他事项协调",
];

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

/// An enterprise name such as 九江赣安应急装备有限公司.
pub fn enterprise_name(rng: &mut StdRng) -> String {
    format!(
        "{}{}{}{}",
        pick(rng, &PLACES),
        pick(rng, &BRANDS),
        pick(rng, &TRADES),
        pick(rng, &FORMS)
    )
}

/// A person's name such as 王伟.
pub fn person(rng: &mut StdRng) -> String {
    format!("{}{}", pick(rng, &SURNAMES), pick(rng, &GIVEN))
}

/// Two or three key products.
pub fn products(rng: &mut StdRng) -> Vec<&'static str> {
    let n = rng.gen_range(2..=3);
    let start = rng.gen_range(0..PRODUCTS.len());
    (0..n)
        .map(|k| PRODUCTS[(start + k) % PRODUCTS.len()])
        .collect()
}

pub fn visit_summary(rng: &mut StdRng) -> &'static str {
    pick(rng, &SUMMARIES)
}

/// A demand title and its category.
pub fn demand(rng: &mut StdRng) -> (&'static str, &'static str) {
    const CATEGORIES: [&str; 9] = [
        "financing",
        "land",
        "talent",
        "market",
        "technology",
        "policy",
        "permits",
        "infrastructure",
        "other",
    ];
    let i = rng.gen_range(0..DEMANDS.len());
    (DEMANDS[i], CATEGORIES[i])
}
