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
/// Brand names are two of these characters: 4,830 brands, so that a piece of a name
/// matches a few enterprises, as in real registers, and not a fixed share of them.
const BRAND_CHARS: [char; 70] = [
    '华', '兴', '盛', '泰', '恒', '宏', '鑫', '达', '通', '安', '信', '瑞', '祥', '丰', '和', '嘉',
    '德', '利', '源', '昌', '隆', '福', '康', '宁', '新', '联', '创', '科', '天', '正', '远', '捷',
    '汇', '中', '金', '海', '山', '江', '洪', '赣', '庐', '井', '冈', '鄱', '章', '贡', '滕', '明',
    '月', '仙', '青', '原', '临', '川', '玉', '龙', '虎', '凯', '博', '航', '睿', '智', '启', '宇',
    '卓', '越', '众', '诚', '宜', '晟',
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

/// An enterprise name such as 九江恒达应急装备有限公司.
pub fn enterprise_name(rng: &mut StdRng) -> String {
    format!(
        "{}{}{}{}",
        pick(rng, &PLACES),
        brand(rng),
        pick(rng, &TRADES),
        pick(rng, &FORMS)
    )
}

/// Two different brand characters, such as 恒达.
fn brand(rng: &mut StdRng) -> String {
    let first = rng.gen_range(0..BRAND_CHARS.len());
    let second = (first + rng.gen_range(1..BRAND_CHARS.len())) % BRAND_CHARS.len();
    [BRAND_CHARS[first], BRAND_CHARS[second]].iter().collect()
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
