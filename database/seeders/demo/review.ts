import { createHash } from 'node:crypto'
import { DateTime } from 'luxon'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import Unit from '#identity/models/unit'
import User from '#identity/models/user'
import UserRole from '#identity/models/user_role'
import Expert, { type Specialty } from '#project_review/models/expert'
import Project, { type ProjectCategory } from '#project_review/models/project'
import SharedPlatform from '#project_review/models/shared_platform'
import type { ItemCategory } from '#project_review/models/budget_item'
import type { ProjectState } from '#project_review/lifecycle'
import proposals from '#project_review/services/proposals'
import attachments from '#project_review/services/attachments'
import projectDriver, { type DriveOptions } from '#project_review/services/project_driver'
import { reviewStats } from '#project_review/services/review_stats'
import { acceptanceFigures } from '#project_review/reports/acceptance_figures'
import { requestMachine } from '#project_review/state_machines'
import { reviewActorOf, type ReviewActor } from '#project_review/services/actor'
import { formatRateBp } from '#project_review/domain/aggregation'
import { formatWanYuan } from '#core/money'
import { DEMO_PASSWORD } from '#database/seeders/demo/identity'

/** A one-page PDF standing in for each submitted demo project's 可行性研究报告. */
const DEMO_PDF = Buffer.from(
  [
    '%PDF-1.4',
    '1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj',
    '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj',
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj',
    'trailer<</Root 1 0 R>>',
    '%%EOF',
    '',
  ].join('\n')
)

/**
 * A year of project review mirroring the seeds: 14 projects reviewed by expert panels (about
 * 1 亿元 requested, about 25 % cut), and projects standing in every other state. Everything goes
 * through the real actions, so the timeline, the audit trail and the draws are genuine.
 */

interface DemoExpert {
  name: string
  employer: string
  employerUnit?: string
  specialties: Specialty[]
  /** the demo login to link; others get a login zjNN */
  username?: string
}

const EXPERTS: DemoExpert[] = [
  {
    name: '陈专家',
    employer: '省信息技术研究院',
    specialties: ['software', 'data'],
    username: 'expert',
  },
  { name: '林晓东', employer: '市大数据中心', specialties: ['data', 'software'] },
  { name: '黄志强', employer: '省通信规划设计院', specialties: ['hardware', 'security'] },
  { name: '吴海燕', employer: '市网络安全应急中心', specialties: ['security'] },
  { name: '郑伟', employer: '正信会计师事务所', specialties: ['finance'] },
  { name: '孙丽', employer: '市信息工程造价站', specialties: ['finance', 'hardware'] },
  { name: '周建华', employer: '省视频技术研究所', specialties: ['video_iot', 'hardware'] },
  { name: '徐明', employer: '省理工大学计算机学院', specialties: ['software', 'security'] },
  {
    name: '马骏',
    employer: '县公安局科信大队',
    employerUnit: 'GAJ',
    specialties: ['video_iot', 'security'],
  },
  { name: '朱玲', employer: '市政务云运营中心', specialties: ['hardware', 'data'] },
  { name: '胡斌', employer: '省测绘科学研究院', specialties: ['data'] },
  { name: '郭芳', employer: '华建工程咨询公司', specialties: ['finance', 'software'] },
  { name: '何俊', employer: '市电子政务中心', specialties: ['software'] },
  { name: '高原', employer: '省理工大学电子系', specialties: ['video_iot'] },
]

type DemoItem = [ItemCategory, string, string | null, number, number]

interface DemoProject {
  title: string
  unit: string
  category: ProjectCategory
  securityLevel: number
  content: string
  platforms: string[]
  /** category, name, specification, quantity, unit price in 元 */
  items: DemoItem[]
  target: ProjectState
  /** the panel's median recommendation as a share of each unit price */
  factor?: number
}

const PROJECTS: DemoProject[] = [
  {
    title: '县公安局视频监控联网共享平台扩容项目',
    unit: 'GAJ',
    category: 'upgrade',
    securityLevel: 3,
    content:
      '新增高清网络摄像机400路，扩容视频云存储，升级视频结构化解析服务器，并通过视频资源交换平台向城管、应急共享。',
    platforms: ['视频资源交换平台', '政务云'],
    items: [
      ['hardware', '400万像素高清网络球机', '星光级，含立杆安装', 400, 8500],
      ['hardware', '视频云存储扩容节点', '单节点 480TB', 6, 720000],
      ['software', '视频结构化解析服务', '人脸、车辆特征提取', 1, 6800000],
      ['security', '等保三级测评服务', null, 1, 180000],
      ['integration', '系统集成与联调', null, 1, 1500000],
    ],
    target: 'approved',
    factor: 0.736,
  },
  {
    title: '县教育局智慧校园平台建设项目',
    unit: 'JYJ',
    category: 'new',
    securityLevel: 2,
    content: '建设覆盖全县86所中小学的智慧校园平台，整合学籍、排课、家校通知和校园安全管理。',
    platforms: ['政务云', '数据共享交换平台'],
    items: [
      ['software', '智慧校园平台软件开发', null, 1, 4200000],
      ['hardware', '班级多媒体互动一体机', '86 英寸', 600, 9800],
      ['cloud', '政务云资源租用', '3 年', 3, 680000],
      ['operation', '三年运维服务', null, 1, 600000],
    ],
    target: 'approved',
    factor: 0.8,
  },
  {
    title: '县城市管理局数字城管平台升级项目',
    unit: 'CGJ',
    category: 'upgrade',
    securityLevel: 2,
    content:
      '新增占道经营、乱堆乱放智能识别功能，接入网格化综合管理平台，为执法中队配备执法记录仪和车载终端。',
    platforms: ['网格化综合管理平台', '视频资源交换平台'],
    items: [
      ['software', '智能识别算法服务', '12 类事件', 1, 3600000],
      ['hardware', '执法记录仪', null, 320, 2900],
      ['hardware', '执法车载终端', null, 40, 46000],
      ['software', '数字城管系统升级开发', null, 1, 3400000],
    ],
    target: 'approved',
    factor: 0.75,
  },
  {
    title: '县住房和城乡建设局建筑工程质量安全监管系统',
    unit: 'ZJJ',
    category: 'new',
    securityLevel: 2,
    content: '对在建工地实施塔吊运行监测、扬尘在线监测和建筑工人实名制考勤，数据接入住建监管平台。',
    platforms: ['政务云'],
    items: [
      ['hardware', '塔吊安全监测终端', null, 90, 38000],
      ['hardware', '扬尘在线监测仪', null, 120, 26000],
      ['hardware', '实名制考勤闸机', null, 110, 18500],
      ['software', '监管系统软件开发', null, 1, 2300000],
    ],
    target: 'approved',
    factor: 0.7,
  },
  {
    title: '县卫生健康委员会全民健康信息平台建设项目',
    unit: 'WJW',
    category: 'new',
    securityLevel: 3,
    content:
      '汇聚县人民医院、县中医院和乡镇卫生院电子病历与居民健康档案，实现检查检验结果互认和双向转诊。',
    platforms: ['政务云', '数据共享交换平台'],
    items: [
      ['software', '全民健康信息平台软件', null, 1, 4600000],
      ['hardware', '平台数据库服务器', '4 路', 6, 260000],
      ['cloud', '区域影像云存储', null, 1, 1300000],
      ['security', '等保三级测评', null, 1, 200000],
    ],
    target: 'approved',
    factor: 0.82,
  },
  {
    title: '县自然资源和规划局国土空间基础信息平台',
    unit: 'ZRZY',
    category: 'new',
    securityLevel: 3,
    content: '建设国土空间基础信息平台和“一张图”实施监督系统，对接地理信息时空云平台。',
    platforms: ['地理信息时空云平台', '政务云'],
    items: [
      ['software', '一张图实施监督系统', null, 1, 3900000],
      ['integration', '存量数据整合入库', null, 1, 2200000],
      ['cloud', '政务云资源租用', '3 年', 3, 450000],
    ],
    target: 'approved',
    factor: 0.78,
  },
  {
    title: '县人力资源和社会保障局社保经办一体化系统',
    unit: 'RSJ',
    category: 'upgrade',
    securityLevel: 3,
    content: '升级社保经办系统，实现参保登记、待遇发放“一网通办”，对接省集中系统。',
    platforms: ['数据共享交换平台', '统一身份认证平台'],
    items: [
      ['software', '经办系统接口改造', null, 1, 3800000],
      ['hardware', '自助经办终端', null, 60, 32000],
      ['security', '安全服务（含等保测评）', null, 1, 1180000],
    ],
    target: 'in_construction',
    factor: 0.74,
  },
  {
    title: '县医疗保障局医保基金智能监管系统',
    unit: 'YBJ',
    category: 'new',
    securityLevel: 3,
    content: '建设医保基金智能监管规则库，对定点医疗机构诊疗和药品费用事前提醒、事中审核。',
    platforms: ['数据共享交换平台'],
    items: [
      ['software', '智能监管规则库', null, 1, 3500000],
      ['hardware', '数据库服务器', null, 4, 220000],
      ['software', '医保电子凭证受理改造', null, 1, 1820000],
    ],
    target: 'acceptance_requested',
    factor: 0.85,
  },
  {
    title: '县水利局水雨情监测预警系统',
    unit: 'SLJ',
    category: 'new',
    securityLevel: 2,
    content: '新建自动雨量站45处、水位站20处，建设水雨情监测预警平台，实现超警自动预警。',
    platforms: ['政务云', '地理信息时空云平台'],
    items: [
      ['hardware', '自动雨量站', '北斗 + 4G 双通道', 45, 42000],
      ['hardware', '雷达水位计', null, 20, 58000],
      ['software', '预警平台软件开发', null, 1, 2350000],
    ],
    target: 'acceptance_review',
    factor: 0.76,
  },
  {
    title: '县交通运输局治超非现场执法系统',
    unit: 'JTJ',
    category: 'new',
    securityLevel: 2,
    content: '在国省道主要路段建设不停车超限检测点，执法数据接入省治超平台。',
    platforms: ['视频资源交换平台'],
    items: [
      ['hardware', '不停车超限检测设备', '含称重板、抓拍单元', 6, 560000],
      ['software', '治超执法系统软件', null, 1, 1400000],
    ],
    target: 'rectifying',
    factor: 0.79,
  },
  {
    title: '县民政局智慧养老服务平台',
    unit: 'MZJ',
    category: 'new',
    securityLevel: 2,
    content: '建设居家养老服务平台，为高龄独居老人配发智能手环，对接社区服务站。',
    platforms: ['数据共享交换平台'],
    items: [
      ['hardware', '老人智能手环', null, 3000, 450],
      ['software', '养老服务平台软件', null, 1, 1950000],
      ['operation', '呼叫中心运营服务', '1 年', 1, 900000],
    ],
    target: 'completed',
    factor: 0.71,
  },
  {
    title: '县应急管理局应急指挥调度平台',
    unit: 'YJJ',
    category: 'new',
    securityLevel: 3,
    content:
      '建设应急指挥调度平台，整合视频会商、融合通信和应急资源一张图，配备单兵图传和卫星便携站。',
    platforms: ['视频资源交换平台', '地理信息时空云平台'],
    items: [
      ['hardware', '单兵图传设备', null, 20, 56000],
      ['hardware', '卫星便携站', null, 2, 480000],
      ['software', '应急一张图软件开发', null, 1, 1500000],
    ],
    target: 'evaluated',
    factor: 0.88,
  },
  {
    title: '市生态环境局县分局污染源在线监控系统',
    unit: 'STHJ',
    category: 'upgrade',
    securityLevel: 2,
    content: '升级重点污染源在线监控系统，新增VOCs监测点，实现超标自动告警。',
    platforms: ['政务云'],
    items: [
      ['hardware', 'VOCs 在线监测仪', null, 12, 165000],
      ['software', '监控平台升级开发', null, 1, 820000],
    ],
    target: 'approved',
    factor: 0.77,
  },
  {
    title: '县司法局公共法律服务机器人项目',
    unit: 'SFJ',
    category: 'service',
    securityLevel: 1,
    content: '在32个乡镇司法所部署智能法律服务机器人，提供法律咨询和人民调解在线申请。',
    platforms: [],
    items: [
      ['hardware', '智能法律服务机器人', null, 32, 52000],
      ['software', '机器人知识库建设', null, 1, 836000],
    ],
    target: 'declined',
  },
  {
    title: '县公安局智慧交通信号控制系统',
    unit: 'GAJ',
    category: 'new',
    securityLevel: 3,
    content: '对城区60个路口信号机进行联网改造，建设交通信号优化控制平台。',
    platforms: ['视频资源交换平台'],
    items: [
      ['hardware', '联网信号机', null, 60, 62000],
      ['software', '信号优化控制平台', null, 1, 2600000],
    ],
    target: 'reviewed',
    factor: 0.8,
  },
  {
    title: '县自然资源和规划局耕地保护动态监测平台',
    unit: 'ZRZY',
    category: 'new',
    securityLevel: 2,
    content: '建设耕地卫片监测和耕地保护动态监管系统，接入数据共享交换平台。',
    platforms: ['数据共享交换平台'],
    items: [
      ['software', '智慧监管平台软件', null, 1, 1650000],
      ['hardware', '执法终端', null, 60, 6800],
    ],
    target: 'revising',
    factor: 0.78,
  },
  {
    title: '县医疗保障局医保经办服务大厅智能化改造',
    unit: 'YBJ',
    category: 'upgrade',
    securityLevel: 2,
    content: '改造医保经办服务大厅，配置自助终端和智能排队系统。',
    platforms: ['政务云'],
    items: [
      ['software', '数据直报系统改造', null, 1, 980000],
      ['hardware', '数据库服务器', null, 2, 150000],
    ],
    target: 'revised',
    factor: 0.8,
  },
  {
    title: '县教育局教育资源公共服务平台二期',
    unit: 'JYJ',
    category: 'upgrade',
    securityLevel: 2,
    content: '扩充优质课程资源库，建设城乡同步课堂。',
    platforms: ['政务云'],
    items: [
      ['software', '同步课堂系统', null, 1, 1800000],
      ['hardware', '录播教室设备', null, 40, 68000],
    ],
    target: 'under_review',
  },
  {
    title: '县卫生健康委员会基层医疗机构信息系统升级',
    unit: 'WJW',
    category: 'upgrade',
    securityLevel: 2,
    content:
      '升级乡镇卫生院HIS和LIS系统，实现与县医院互联互通；另建电子病历与居民健康档案库，实现检查检验结果互认。',
    platforms: ['数据共享交换平台'],
    items: [
      ['software', 'HIS/LIS 升级开发', null, 1, 2100000],
      ['hardware', '乡镇卫生院服务器', null, 18, 58000],
    ],
    target: 'panel_drawn',
  },
  {
    title: '县城市管理局智慧停车管理系统',
    unit: 'CGJ',
    category: 'new',
    securityLevel: 2,
    content: '在城区主要道路建设路内智慧停车泊位2000个，统一接入停车管理平台。',
    platforms: ['政务云'],
    items: [
      ['hardware', '地磁车位检测器', null, 2000, 680],
      ['software', '智慧停车平台', null, 1, 1250000],
    ],
    target: 'accepted',
  },
  {
    title: '县住房和城乡建设局房屋安全鉴定管理系统',
    unit: 'ZJJ',
    category: 'new',
    securityLevel: 1,
    content: '建设房屋安全鉴定档案库和鉴定业务系统。',
    platforms: ['政务云'],
    items: [
      ['software', '鉴定业务系统开发', null, 1, 680000],
      ['integration', '历史档案数字化', null, 1, 320000],
    ],
    target: 'submitted',
  },
  {
    title: '县交通运输局农村公路养护管理系统',
    unit: 'JTJ',
    category: 'new',
    securityLevel: 1,
    content: '建设农村公路养护巡查和病害上报系统。',
    platforms: ['地理信息时空云平台'],
    items: [['software', '养护管理系统', null, 1, 760000]],
    target: 'returned',
  },
  {
    title: '县民政局婚姻登记档案数字化',
    unit: 'MZJ',
    category: 'service',
    securityLevel: 1,
    content: '对历史婚姻登记档案进行数字化加工。',
    platforms: [],
    items: [['integration', '档案数字化加工', '按卷计', 52000, 9]],
    target: 'rejected',
  },
  {
    title: '县水利局河湖长制信息平台',
    unit: 'SLJ',
    category: 'new',
    securityLevel: 2,
    content: '建设河湖长巡河APP和河湖长制信息平台。',
    platforms: ['视频资源交换平台'],
    items: [
      ['software', '河湖长制平台', null, 1, 980000],
      ['hardware', '河道监控摄像机', null, 40, 9800],
    ],
    target: 'draft',
  },
  {
    title: '县人力资源和社会保障局就业服务平台',
    unit: 'RSJ',
    category: 'new',
    securityLevel: 2,
    content: '建设就业岗位智能匹配和零工市场服务平台。',
    platforms: ['统一身份认证平台'],
    items: [['software', '就业服务平台', null, 1, 1200000]],
    target: 'draft',
  },
]

/** Offsets of the five experts' recommendations around the panel's median. */
const SPREAD = [-0.06, -0.03, 0, 0.03, 0.06]

async function demoUser(
  username: string,
  fullName: string,
  role: 'applicant' | 'expert',
  unitId: number
) {
  const existing = await User.query().where('username', username).preload('roleRows').first()
  if (existing) return existing
  const user = await User.create({
    username,
    fullName,
    unitId,
    password: DEMO_PASSWORD,
    isActive: true,
    failedLoginCount: 0,
    mustChangePassword: false,
  })
  await UserRole.create({ userId: user.id, role })
  await user.load('roleRows')
  return user
}

/** A number in [0, 1) from a text, so the demo is the same on every run. */
function unitInterval(text: string) {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32
}

/** How the driver moves a demo project: the panel's marks and recommendations, the reasons. */
function demoDrive(spec: DemoProject): DriveOptions {
  const declined = spec.target === 'declined'
  const factor = spec.factor ?? (declined ? 0.5 : 0.8)
  return {
    seed: `demo:${spec.title}`,
    panelSize: 5,
    alternates: 2,
    sheetsUnderReview: 3,
    reasons: {
      return: '缺少可行性研究报告\n养护里程数据与交通年报不一致',
      reject: '档案数字化加工属于日常业务经费支出，不属于信息化建设项目。',
      decline: '与县级公共法律服务平台功能重复，不予立项。',
    },
    sheet: (index, panel, items) => {
      const quality = (declined ? 0.5 : 0.78) + unitInterval(`${spec.title}:${index}`) * 0.16
      return {
        scores: Object.fromEntries(
          panel.criteria.map((criterion) => [
            criterion.key,
            Math.round(criterion.maxScore * quality * 2) / 2,
          ])
        ),
        opinion: declined
          ? '与县级公共法律服务平台功能重复，建议不予立项。'
          : '项目建设必要，方案基本可行；硬件单价偏高，建议按核定金额立项。',
        items: items.map((item) => {
          const share = Math.min(1, factor + SPREAD[index])
          return {
            budgetItemId: item.id,
            quantity: item.quantity,
            unitPrice: Math.round(item.unitPriceFen * share),
            cutReason: share < 1 ? ('overpriced' as const) : null,
          }
        }),
      }
    },
    settlement: (item) => ({ settled: Math.round(item.approvedFen! * 0.97) }),
  }
}

/**
 * The seeds' acceptance figures ("组织专家验收项目17个，项目累计金额约4300万元"): with the two
 * projects of this year that passed acceptance, 15 projects approved last year, built, and
 * accepted during this year make 17, about 4,300 万元 of settlement (决算) in all — the amount
 * the 年度统计, GET /api/v1/stats/review and the reviewer's 工作台 show.
 */
const ACCEPTED_LAST_YEAR: [string, string, number][] = [
  ['县公安局人口信息管理系统升级', 'GAJ', 3_010_000],
  ['县教育局校园安全视频监控联网', 'JYJ', 2_570_000],
  ['县城市管理局环卫作业监管平台', 'CGJ', 2_210_000],
  ['县住房和城乡建设局住房保障管理系统', 'ZJJ', 1_900_000],
  ['县卫生健康委员会家庭医生签约服务平台', 'WJW', 2_790_000],
  ['县自然资源和规划局不动产登记信息平台', 'ZRZY', 3_820_000],
  ['县人力资源和社会保障局社保卡一卡通应用', 'RSJ', 2_470_000],
  ['县医疗保障局医保移动支付平台', 'YBJ', 1_830_000],
  ['县水利局山洪灾害监测预警系统升级', 'SLJ', 2_680_000],
  ['县交通运输局公交车辆智能调度系统', 'JTJ', 2_240_000],
  ['县民政局社会救助信息核对平台', 'MZJ', 1_670_000],
  ['县应急管理局安全生产风险监测系统', 'YJJ', 2_890_000],
  ['市生态环境局县分局空气质量监测网络', 'STHJ', 2_390_000],
  ['县司法局社区矫正智慧监管系统', 'SFJ', 1_590_000],
  ['县公安局智慧警务指挥中心改造', 'GAJ', 3_780_000],
]

async function seedAcceptedLastYear(
  units: Map<string, Unit>,
  reviewer: ReviewActor,
  year: number,
  log: (line: string) => void
) {
  let approvedFen = 0
  for (const [index, [title, code, yuan]] of ACCEPTED_LAST_YEAR.entries()) {
    const unit = units.get(code)
    if (!unit) continue
    const applicantUser = await demoUser(
      code === 'GAJ' ? 'applicant' : `jb_${code.toLowerCase()}`,
      `${unit.name}经办人`,
      'applicant',
      unit.id
    )
    const applicant = reviewActorOf(applicantUser)
    const hardware = Math.round(yuan * 0.4)
    const project = await proposals.create(
      {
        title,
        year: year - 1,
        category: 'new',
        content: `${title}：完成系统建设并接入县政务云和数据共享交换平台。`,
        necessity: `${unit.name}业务系统亟需建设。`,
        technicalPlan: '系统部署于县政务云，按等保二级要求建设。',
        securityLevel: 2,
        plannedStart: new Date(Date.UTC(year - 1, 4, 1)),
        plannedEnd: new Date(Date.UTC(year - 1, 11, 31)),
        contactName: '经办人',
        contactPhone: '0571-88000000',
        platformIds: [],
        items: [
          {
            category: 'hardware',
            name: '服务器及网络设备',
            quantity: 1,
            unitPrice: hardware * 100,
          },
          {
            category: 'software',
            name: '应用系统开发',
            quantity: 1,
            unitPrice: (yuan - hardware) * 100,
          },
        ],
      },
      applicant
    )
    await attachments.storeBytes(
      project.id,
      'feasibility',
      `${title}可行性研究报告.pdf`,
      DEMO_PDF,
      applicant
    )
    const signed = DateTime.utc().minus({ months: 10 }).startOf('day')
    await projectDriver.drive(
      project.id,
      'completed',
      { applicant, reviewer },
      {
        seed: `demo:${title}`,
        panelSize: 5,
        alternates: 0,
        contractSignedOn: signed,
        settlement: (item) => ({ settled: Math.round(item.approvedFen! * 0.98) }),
      }
    )
    const completed = await Project.findOrFail(project.id)
    approvedFen += completed.approvedFen ?? 0
    const acceptedOn = DateTime.utc()
      .startOf('year')
      .plus({ days: 10 + index * 9 })
    // spread over the year like real work: approved last year, accepted month after month
    // (the 年度统计 and the 工作台's trend count an acceptance on the day it was decided)
    const acceptedAt = (acceptedOn < DateTime.utc() ? acceptedOn : DateTime.utc()).toFormat(
      'yyyy-MM-dd HH:mm:ss'
    )
    await Project.query()
      .where('id', project.id)
      .update({
        completed_at: acceptedAt,
        decided_at: DateTime.utc(year - 1, 12, 1, 2)
          .plus({ days: index })
          .toFormat('yyyy-MM-dd HH:mm:ss'),
      })
    await db
      .from('acceptance_requests')
      .where('project_id', project.id)
      .where('status', requestMachine.target('pass'))
      .update({ decided_at: acceptedAt })
  }
  log(
    `review: ${ACCEPTED_LAST_YEAR.length} projects of ${year - 1} accepted this year, ${formatWanYuan(approvedFen)} 万元 approved`
  )
}

export async function seedReview(log: (line: string) => void = () => {}) {
  if (await Project.query().where('title', PROJECTS[0].title).first()) {
    log('review: demo projects already there')
    return null
  }
  const allUnits = await Unit.all()
  const units = new Map(allUnits.map((unit) => [unit.code, unit]))
  const reviewerUser = await User.query().where('username', 'reviewer').preload('roleRows').first()
  const bureau = units.get('SJJ')
  if (!reviewerUser || !bureau || !reviewerUser.hasRole('reviewer')) {
    log(
      'review: the demo reviewer account or the bureau unit is missing; run the identity seed first'
    )
    return null
  }
  const reviewer = reviewActorOf(reviewerUser)

  const expertLogins = new Map<number, ReviewActor>()
  let created = 0
  for (const [index, spec] of EXPERTS.entries()) {
    const user = await demoUser(
      spec.username ?? `zj${String(index + 1).padStart(2, '0')}`,
      spec.name,
      'expert',
      units.get(spec.employerUnit ?? 'SJJ')?.id ?? bureau.id
    )
    if (!user.hasRole('expert')) continue
    let expert = await Expert.findBy('user_id', user.id)
    if (!expert) {
      expert = await Expert.create({
        userId: user.id,
        name: spec.name,
        employer: spec.employer,
        employerUnitId: spec.employerUnit ? (units.get(spec.employerUnit)?.id ?? null) : null,
        specialties: spec.specialties,
        conflictUnitIds: [],
        phone: `1390000${String(index + 1).padStart(4, '0')}`,
        email: `${user.username}@experts.example.gov.cn`,
        isActive: true,
        yearlyCap: 30,
      })
      created++
    }
    expertLogins.set(expert.id, reviewActorOf(user))
  }
  log(`review: ${created} experts added to the pool`)

  const catalog = await SharedPlatform.all()
  const platforms = new Map(catalog.map((platform) => [platform.name, platform.id]))
  const year = DateTime.now().setZone('Asia/Shanghai').year
  mail.fake()
  try {
    for (const spec of PROJECTS) {
      const unit = units.get(spec.unit)
      if (!unit) continue
      const applicantUser = await demoUser(
        spec.unit === 'GAJ' ? 'applicant' : `jb_${spec.unit.toLowerCase()}`,
        `${unit.name}经办人`,
        'applicant',
        unit.id
      )
      const applicant = reviewActorOf(applicantUser)
      const project = await proposals.create(
        {
          title: spec.title,
          year,
          category: spec.category,
          content: spec.content,
          necessity: `${unit.name}现有系统已不能满足业务需要，${spec.content.slice(0, 20)}……亟需建设。`,
          technicalPlan: `系统部署于县政务云，按等保${spec.securityLevel}级要求建设，数据经数据共享交换平台共享。`,
          securityLevel: spec.securityLevel,
          plannedStart: new Date(Date.UTC(year, 3, 1)),
          plannedEnd: new Date(Date.UTC(year, 11, 31)),
          contactName: `${unit.name.replace(/^县|^市/, '').slice(0, 4)}经办人`,
          contactPhone: '0571-8800' + String(unit.id).padStart(4, '0'),
          platformIds: spec.platforms
            .map((name) => platforms.get(name))
            .filter((id): id is number => Boolean(id)),
          items: spec.items.map(([category, name, specification, quantity, price]) => ({
            category,
            name,
            specification,
            quantity,
            unitPrice: Math.round(price * 100),
          })),
        },
        applicant
      )
      if (spec.target === 'draft') continue
      await attachments.storeBytes(
        project.id,
        'feasibility',
        `${spec.title}可行性研究报告.pdf`,
        DEMO_PDF,
        applicant
      )
      await projectDriver.drive(project.id, spec.target, { applicant, reviewer }, demoDrive(spec))
    }
    await seedAcceptedLastYear(units, reviewer, year, log)
  } finally {
    mail.restore()
  }
  const stats = await reviewStats({ year })
  log(
    `review: ${PROJECTS.length} projects in ${year}; ${stats.count} decided, requested ${formatWanYuan(stats.requestedFen)} 万元, approved ${formatWanYuan(stats.approvedFen)} 万元, cut rate ${stats.cutRateBp === null ? '-' : formatRateBp(stats.cutRateBp)}%`
  )
  const accepted = await acceptanceFigures(year)
  log(
    `review: ${accepted.accepted} projects accepted in ${year} (the 年度统计's figure), settlement ${formatWanYuan(accepted.amountFen)} 万元`
  )
  return stats
}
