/** Word lists for plausible synthetic Chinese names (no real persons). */
export const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'.split(
    '',
  );
export const GIVEN =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲燕健峰建国红梅婷雪琳晨宇浩然欣怡子涵梓萱一诺思远佳琪俊杰雨桐嘉怡泽宇文博雅静'.split(
    '',
  );
export const CITIES = [
  '江州',
  '渝城',
  '嘉陵',
  '巴南',
  '清溪',
  '云阳',
  '涪川',
  '合川',
  '永宁',
  '南岸',
  '万安',
  '开元',
  '石柱',
  '秀山',
  '黔江',
  '綦南',
  '铜梁',
  '潼安',
  '璧山',
  '大足',
];
export const DISTRICT_SUFFIX = ['区', '县'];
export const DISTRICT_WORDS = [
  '东城',
  '西城',
  '南湖',
  '北山',
  '新华',
  '长寿',
  '白沙',
  '龙泉',
  '金山',
  '青龙',
  '凤鸣',
  '太和',
  '石门',
  '桃源',
  '宝丰',
  '双河',
  '兴隆',
  '安居',
  '永兴',
  '德胜',
];
export const TOWN_WORDS = [
  '龙井',
  '白马',
  '青杠',
  '柏树',
  '三合',
  '石桥',
  '太平',
  '仁和',
  '观音',
  '双凤',
  '华兴',
  '高峰',
  '新民',
  '古楼',
  '玉峰',
  '马鞍',
];
export const VILLAGE_WORDS = [
  '红星',
  '团结',
  '光明',
  '和平',
  '幸福',
  '新农',
  '胜利',
  '前进',
  '丰收',
  '长青',
  '柳河',
  '荷花',
];
export const ENTERPRISE_WORDS = [
  '能源',
  '建设',
  '交通',
  '水务',
  '机械',
  '电子',
  '物流',
  '食品',
  '医药',
  '汽车',
  '化工',
  '纺织',
];
export const COMMUNITY_WORDS = ['滨江', '锦绣', '春晖', '阳光', '翠湖', '和谐', '学府', '景苑'];

export function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length]!;
}

/** Deterministic pseudo-random generator (mulberry32) so demo data is reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
