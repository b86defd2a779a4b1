/**
 * Project-review benchmark (issue #9 §2 and §3): builds a province-sized corpus in a throwaway
 * database, boots the real app (HTTP server included) in this process, then measures
 *
 *   1. submissions (提交申报) with the term-index duplicate check: p50/p95 of the whole submit
 *      and of the duplicate check alone, and the event loop's maximum delay meanwhile
 *      (node:perf_hooks monitorEventLoopDelay), plus how well near-duplicates are caught;
 *   2. the previous algorithm (bench/baseline_similarity.ts: bigrams, TF-IDF over every project
 *      loaded with its line items, on the main thread) on the same corpus;
 *   3. the reviewers' workbench /review/projects under N concurrent users (in-process fetch
 *      loops over loopback, bounded by time and count): p50/p95/p99 and requests/s.
 *
 *   npm run bench:review                                  # 50,000 projects, SQLite
 *   npm run bench:review -- --projects 10000 --seconds 10 --baseline-corpus 5000
 *   npm run bench:review -- --skip-baseline --profile /tmp/workbench.cpuprofile
 *   npm run bench:review -- --mysql    # DB_HOST/DB_PORT/DB_USER/DB_PASSWORD/DB_DATABASE: a
 *                                      # throwaway MariaDB schema (it is migrated fresh!)
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'

interface Args {
  projects: number
  submissions: number
  users: number
  seconds: number
  maxRequests: number
  /** The baseline's time grows faster than linearly (Lucid matches preloads pairwise): cap it. */
  baselineCorpus: number | null
  skipBaseline: boolean
  mysql: boolean
  keep: boolean
  /** Writes a V8 CPU profile of the workbench load phase to this file (.cpuprofile). */
  profile: string | null
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    projects: 50_000,
    submissions: 40,
    users: 20,
    seconds: 15,
    maxRequests: 20_000,
    baselineCorpus: 2000,
    skipBaseline: false,
    mysql: false,
    keep: false,
    profile: null,
  }
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1])
    switch (argv[i]) {
      case '--projects':
        args.projects = value
        i++
        break
      case '--submissions':
        args.submissions = value
        i++
        break
      case '--users':
        args.users = value
        i++
        break
      case '--seconds':
        args.seconds = value
        i++
        break
      case '--max-requests':
        args.maxRequests = value
        i++
        break
      case '--baseline-corpus':
        args.baselineCorpus = value
        i++
        break
      case '--skip-baseline':
        args.skipBaseline = true
        break
      case '--mysql':
        args.mysql = true
        break
      case '--keep':
        args.keep = true
        break
      case '--profile':
        args.profile = argv[i + 1]
        i++
        break
      default:
        throw new Error(`unknown argument ${argv[i]}`)
    }
  }
  return args
}

const root = fileURLToPath(new URL('../', import.meta.url))

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

function percentile(values: number[], p: number) {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '—')

/**
 * The event loop's longest stall while enabled: the node:perf_hooks delay histogram, checked
 * against the longest gap between 1 ms ticks (the histogram misses a stall that outlasts it).
 */
function stallMonitor() {
  const histogram = monitorEventLoopDelay({ resolution: 5 })
  let last = 0
  let longest = 0
  let ticker: NodeJS.Timeout | null = null
  return {
    enable() {
      histogram.enable()
      last = performance.now()
      ticker = setInterval(() => {
        const now = performance.now()
        longest = Math.max(longest, now - last)
        last = now
      }, 1)
    },
    /** Stops and returns the longest stall in ms. */
    async disable() {
      await new Promise((resolve) => setTimeout(resolve, 5))
      clearInterval(ticker!)
      histogram.disable()
      return Math.max(histogram.max / 1e6, longest)
    },
  }
}

/** A V8 CPU profile of this process (node:inspector), for `--profile FILE`. */
async function startProfiler() {
  const { Session } = await import('node:inspector/promises')
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 500 })
  await session.post('Profiler.start')
  return {
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop')
      writeFileSync(file, JSON.stringify(profile))
      session.disconnect()
      console.log(`CPU profile of the workbench load written to ${file}`)
    },
  }
}

/** A deterministic pseudo-random generator, so every run builds the same corpus. */
function rng(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** What county units propose: a subject and the words its proposals are made of. */
const THEMES: { subject: string; words: string[]; items: string[] }[] = [
  {
    subject: '视频监控联网扩容',
    words: [
      '高清网络摄像机',
      '路口',
      '农贸市场',
      '视频云存储',
      '人脸抓拍',
      '车辆特征',
      '结构化解析',
      '光纤链路',
      '雪亮工程',
      '点位',
      '录像保存',
    ],
    items: ['高清网络球机', '人脸抓拍枪机', '视频云存储节点', '解析服务器'],
  },
  {
    subject: '智慧校园',
    words: [
      '中小学',
      '学籍',
      '排课选课',
      '家校通知',
      '多媒体互动终端',
      '教育资源',
      '优质课程',
      '城乡学校',
      '校园安全',
      '录播教室',
    ],
    items: ['互动一体机', '录播系统', '学籍软件', '校园广播'],
  },
  {
    subject: '医保结算',
    words: [
      '定点医药机构',
      '异地就医',
      '医保电子凭证',
      '扫码支付',
      '基金监管',
      '规则库',
      '欺诈骗保',
      '诊疗费用',
      '药品目录',
      '门诊统筹',
    ],
    items: ['受理终端', '结算接口改造', '规则库', '数据库服务器'],
  },
  {
    subject: '水雨情监测',
    words: [
      '河道',
      '水库',
      '山洪灾害',
      '雨量站',
      '水位站',
      '北斗',
      '双通道传输',
      '超警预警',
      '防汛抗旱',
      '视频水尺',
    ],
    items: ['自动雨量站', '雷达水位计', '北斗终端', '太阳能供电'],
  },
  {
    subject: '数字城管',
    words: [
      '占道经营',
      '乱堆乱放',
      '智能识别',
      '网格化',
      '执法记录仪',
      '车载终端',
      '案件派遣',
      '拍照回传',
      '考核评价',
      '渣土车',
    ],
    items: ['识别算法服务', '执法记录仪', '车载终端', '城管软件'],
  },
  {
    subject: '公共法律服务',
    words: [
      '法律咨询',
      '人民调解',
      '法律援助',
      '司法所',
      '法律服务机器人',
      '12348热线',
      '咨询工单',
      '社区矫正',
      '普法宣传',
    ],
    items: ['法律服务机器人', '调解软件', '热线对接', '远程调解终端'],
  },
  {
    subject: '工地质量安全监管',
    words: [
      '在建工地',
      '塔吊',
      '扬尘监测',
      '实名制考勤',
      '施工现场',
      '监督站',
      '超标告警',
      '建筑工人',
      '起重机械',
    ],
    items: ['塔吊监测终端', '扬尘监测仪', '考勤闸机', '工地摄像头'],
  },
  {
    subject: '一网通办自助终端',
    words: [
      '便民服务中心',
      '自助终端',
      '社保查询',
      '不动产登记',
      '证明打印',
      '高频事项',
      '身份认证',
      '电子证照',
      '帮办代办',
    ],
    items: ['自助终端', '高拍仪', '身份证阅读器', '终端接口'],
  },
  {
    subject: '全民健康信息',
    words: [
      '人民医院',
      '中医院',
      '卫生院',
      '电子病历',
      '健康档案',
      '检查检验互认',
      '双向转诊',
      '区域影像',
      '家庭医生',
      '慢病管理',
    ],
    items: ['影像云存储', '病历接口改造', '平台服务器', '签约终端'],
  },
  {
    subject: '应急指挥调度',
    words: [
      '视频会商',
      '融合通信',
      '应急一张图',
      '单兵图传',
      '卫星便携站',
      '突发事件',
      '物资储备',
      '预案管理',
      '值班值守',
    ],
    items: ['会商终端', '融合通信服务器', '单兵设备', '卫星便携站'],
  },
  {
    subject: '明厨亮灶',
    words: [
      '餐饮单位',
      '学校食堂',
      '后厨',
      'AI摄像头',
      '未戴口罩',
      '违规行为',
      '食品安全',
      '冷链追溯',
      '快检',
    ],
    items: ['后厨摄像头', '识别算法', '监管软件', '快检设备'],
  },
  {
    subject: '高标准农田',
    words: [
      '高标准农田',
      '建设进度',
      '管护',
      '灌区',
      '土壤墒情',
      '虫情测报',
      '农情采集',
      '水肥一体化',
      '农机作业',
    ],
    items: ['墒情监测站', '虫情测报灯', '农田软件', '气象站'],
  },
  {
    subject: '智慧养老',
    words: [
      '居家养老',
      '助餐点',
      '紧急呼叫',
      '智能手环',
      '失能老人',
      '养老机构',
      '护理补贴',
      '适老化',
    ],
    items: ['呼叫终端', '智能手环', '养老软件', '助餐收银机'],
  },
  {
    subject: '不动产登记',
    words: [
      '不动产',
      '登记簿',
      '交易税费',
      '抵押登记',
      '档案数字化',
      '宗地',
      '房屋测绘',
      '一窗受理',
    ],
    items: ['档案扫描', '登记软件', '测绘服务', '叫号机'],
  },
  {
    subject: '环境监测',
    words: [
      '空气质量',
      '微型站',
      '水质自动站',
      '污染源',
      '在线监控',
      '排污许可',
      '溯源分析',
      '秸秆焚烧',
    ],
    items: ['微型空气站', '水质自动站', '在线监控仪', '热成像摄像机'],
  },
  {
    subject: '森林防火',
    words: ['林区', '瞭望塔', '热成像', '烟火识别', '护林员', '巡护终端', '防火通道', '隔离带'],
    items: ['热成像摄像机', '瞭望塔改造', '巡护终端', '通信基站'],
  },
  {
    subject: '智慧交通',
    words: ['公交站台', '电子站牌', '客运站', '出租车', '交通流量', '信号灯', '停车诱导', '泊位'],
    items: ['电子站牌', '信号机', '停车诱导屏', '地磁车检器'],
  },
  {
    subject: '市场主体登记',
    words: [
      '市场主体',
      '个体工商户',
      '双随机',
      '信用监管',
      '年报',
      '经营异常',
      '许可审批',
      '企业开办',
    ],
    items: ['信用软件', '审批接口', '企业开办终端', '电子营业执照'],
  },
  {
    subject: '社会救助',
    words: [
      '低保',
      '特困供养',
      '临时救助',
      '核对',
      '困难群众',
      '动态监测',
      '返贫预警',
      '残疾人补贴',
    ],
    items: ['核对接口', '救助软件', '监测模型', '入户采集终端'],
  },
  {
    subject: '智慧党建',
    words: ['党员教育', '三会一课', '组织生活', '党费', '先锋指数', '远程教育', '党群服务'],
    items: ['党建软件', '远程教育终端', '大屏', '积分系统'],
  },
  {
    subject: '档案数字化',
    words: ['馆藏档案', '数字化加工', '全文识别', '档案查阅', '异地出证', '电子档案', '库房温湿度'],
    items: ['扫描加工服务', '识别软件', '温湿度监测', '密集架'],
  },
  {
    subject: '电子政务外网',
    words: [
      '政务外网',
      '乡镇节点',
      '链路冗余',
      '核心交换机',
      '防火墙',
      '入侵检测',
      '日志审计',
      'IPv6',
    ],
    items: ['核心交换机', '下一代防火墙', '日志审计', '链路租用'],
  },
  {
    subject: '政务云',
    words: ['政务云', '云主机', '容灾备份', '资源池', '云安全', '迁移上云', '同城双活'],
    items: ['云主机租用', '备份一体机', '云安全服务', '迁移服务'],
  },
  {
    subject: '智慧文旅',
    words: ['景区', '客流监测', '分时预约', '电子票务', '文化馆', '图书馆', '非遗', '导览'],
    items: ['票务系统', '客流摄像机', '导览小程序', '闸机'],
  },
]

const BOILERPLATE = [
  '提升全县信息化管理服务水平，推进系统平台一体化建设。',
  '项目建成后将进一步提高政务服务能力，满足相关部门工作需求。',
  '平台部署在县政务云，数据接入县数据共享交换平台。',
  '按照网络安全等级保护要求开展测评，保障系统安全稳定运行。',
]

const UNIT_SUFFIXES = [
  '公安局',
  '教育局',
  '医保局',
  '水利局',
  '城管局',
  '司法局',
  '住建局',
  '行政审批局',
  '卫健局',
  '应急管理局',
  '市场监管局',
  '农业农村局',
  '民政局',
  '自然资源局',
  '生态环境分局',
  '林业局',
  '交通运输局',
  '档案馆',
  '大数据中心',
  '文广旅体局',
]
const TOWNS = [
  '城关镇',
  '东关镇',
  '西湖乡',
  '南山镇',
  '北塘镇',
  '青石乡',
  '白沙镇',
  '黄岭乡',
  '红旗镇',
  '新城街道',
]

interface GeneratedProject {
  theme: number
  title: string
  content: string
  necessity: string
  technicalPlan: string
  items: { name: string; amountFen: number }[]
}

function pick<T>(random: () => number, values: readonly T[], count: number): T[] {
  const pool = [...values]
  const picked: T[] = []
  while (picked.length < count && pool.length > 0) {
    picked.push(pool.splice(Math.floor(random() * pool.length), 1)[0])
  }
  return picked
}

function generate(random: () => number, unitName: string): GeneratedProject {
  const theme = Math.floor(random() * THEMES.length)
  const { subject, words, items } = THEMES[theme]
  const [a, b, c, d, e, f] = pick(random, words, 6)
  const n = () => 5 + Math.floor(random() * 300)
  return {
    theme,
    title: `${unitName}${subject}${random() < 0.3 ? '二期' : ''}建设项目`,
    content:
      `围绕${a}和${b}，新增${c}${n()}处，覆盖${pick(random, TOWNS, 2).join('、')}等${n()}个点位。` +
      `建设${d}功能，实现${e}与${f}的统一管理。` +
      pick(random, BOILERPLATE, 1)[0],
    necessity: `现有${a}${random() < 0.5 ? '覆盖不足' : '设备老化'}，${b}${random() < 0.5 ? '难以及时掌握' : '效率低'}。`,
    technicalPlan: `采用${c}与${d}相结合的方案，${e}数据统一汇聚。${pick(random, BOILERPLATE, 1)[0]}`,
    items: pick(random, items, 3).map((name) => ({
      name,
      amountFen: (1 + Math.floor(random() * 500)) * 100_000,
    })),
  }
}

/** A near-duplicate of a generated project: sentences reordered, a few words changed, new unit. */
function reword(original: GeneratedProject, unitName: string) {
  const sentences = original.content.split('。').filter(Boolean)
  sentences.reverse()
  return {
    ...original,
    title: `${unitName}${THEMES[original.theme].subject}提升工程`,
    content: `针对群众反映的问题，拟开展如下建设：${sentences.join('。').replace('新增', '增设')}。`,
    necessity: original.necessity.replace('现有', '目前'),
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const loadAverage = loadavg()
  const dir = mkdtempSync(join(tmpdir(), 'shuzhi-bench-review-'))
  const port = await freePort()
  Object.assign(process.env, {
    TZ: 'UTC',
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: `http://127.0.0.1:${port}`,
    APP_KEY: randomBytes(32).toString('base64url'),
    AUDIT_KEY: randomBytes(32).toString('base64url'),
    AUDIT_CHECKPOINT_DIR: join(dir, 'audit-checkpoints'),
    // the bench measures the workbench, not the second factor (forced in production)
    MFA_ENFORCE: 'false',
    LOG_LEVEL: 'warn',
    SESSION_DRIVER: 'cookie',
    DB_CONNECTION: args.mysql ? 'mysql' : 'sqlite',
    SQLITE_PATH: join(dir, 'bench.sqlite3'),
    LIMITER_STORE: 'memory',
    SNMP_SIMULATOR: 'false',
    SCHEDULER_ENABLED: 'false',
  })
  const database = args.mysql
    ? `MariaDB ${process.env.DB_HOST ?? '127.0.0.1'}:${process.env.DB_PORT ?? 3306}/${process.env.DB_DATABASE}`
    : `SQLite ${process.env.SQLITE_PATH}`
  console.log(`bench:review — ${args.projects} projects, ${database}`)
  const migrate = spawnSync(
    process.execPath,
    ['ace', args.mysql ? 'migration:fresh' : 'migration:run', '--force'],
    {
      cwd: root,
      // the console guard refuses migration:fresh in production (audit tables); the schema
      // given to --mysql is a throwaway one by contract
      env: args.mysql ? { ...process.env, NODE_ENV: 'development' } : process.env,
      stdio: ['ignore', 'ignore', 'inherit'],
    }
  )
  if (migrate.status !== 0) throw new Error('migration failed')

  // boot the app with its HTTP server in this process, as bin/server.ts does
  await import('reflect-metadata')
  const { Ignitor } = await import('@adonisjs/core')
  const appRoot = new URL('../', import.meta.url)
  const ignitor = new Ignitor(appRoot, {
    importer: (filePath: string) =>
      filePath.startsWith('./') || filePath.startsWith('../')
        ? import(new URL(filePath, appRoot).href)
        : import(filePath),
  }).tap((app) => {
    app.booting(async () => {
      await import('#start/env')
    })
  })
  await ignitor.httpServer().start()

  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { default: Unit } = await import('#identity/models/unit')
  const { default: User } = await import('#identity/models/user')
  const { default: UserRole } = await import('#identity/models/user_role')
  const { default: Project } = await import('#project_review/models/project')
  const { default: proposals } = await import('#project_review/services/proposals')
  const { reviewActorOf } = await import('#project_review/services/actor')
  const { default: reviewSettings } = await import('#project_review/services/review_settings')
  const duplicateCheck = await import('#project_review/services/duplicate_check')
  const { default: similarityPool } = await import('#project_review/services/similarity_pool')
  const baseline = await import('./baseline_similarity.js')

  // ---- corpus --------------------------------------------------------------------------------
  const random = rng(20261129)
  let started = performance.now()
  const unitNames = [
    ...UNIT_SUFFIXES.map((suffix) => `县${suffix}`),
    ...TOWNS.map((town) => `${town}人民政府`),
    ...TOWNS.map((town) => `${town}卫生院`),
  ]
  const units = await Unit.createMany(
    unitNames.map((name, index) => ({
      code: `B${String(index).padStart(3, '0')}`,
      name,
      kind: 'department' as const,
      isActive: true,
    }))
  )
  const password = randomBytes(12).toString('base64url')
  const newUser = async (username: string, role: 'applicant' | 'reviewer', unitId: number) => {
    const user = await User.create({
      username,
      fullName: username,
      unitId,
      password,
      isActive: true,
      failedLoginCount: 0,
      mustChangePassword: false,
    })
    await UserRole.create({ userId: user.id, role })
    await user.load('roleRows')
    return user
  }
  await newUser('bench_reviewer', 'reviewer', units[0].id)
  const applicant = await newUser('bench_applicant', 'applicant', units[1].id)

  const generated: GeneratedProject[] = []
  const states = [
    'approved',
    'approved',
    'approved',
    'declined',
    'submitted',
    'accepted',
    'reviewing',
    'returned',
    'rejected',
    'draft',
  ] as const
  const categories = ['new', 'upgrade', 'operation', 'service'] as const
  const CHUNK = 500
  for (let offset = 0; offset < args.projects; offset += CHUNK) {
    const rows: Record<string, string | number | boolean | null>[] = []
    const now = new Date().toISOString().slice(0, 19).replace('T', ' ')
    for (let i = offset; i < Math.min(args.projects, offset + CHUNK); i++) {
      const unit = units[Math.floor(random() * units.length)]
      const project = generate(random, unit.name)
      generated.push(project)
      const state = states[Math.floor(random() * states.length)]
      const requested = project.items.reduce((sum, item) => sum + item.amountFen, 0)
      const approved =
        state === 'approved'
          ? requested - Math.floor(random() * 0.4 * (requested / 100)) * 100
          : state === 'declined'
            ? 0
            : null
      rows.push({
        code: `XM${2018 + (i % 9)}-B${i}`,
        unit_id: unit.id,
        created_by_id: applicant.id,
        year: 2018 + (i % 9),
        title: project.title.slice(0, 200),
        category: categories[i % categories.length],
        content: project.content,
        necessity: project.necessity,
        technical_plan: project.technicalPlan,
        security_level: 2,
        state,
        return_count: 0,
        requested_fen: requested,
        approved_fen: approved,
        similarity_flagged: false,
        submitted_at: state === 'draft' ? null : now,
        decided_at: approved === null ? null : now,
        created_at: now,
        updated_at: now,
      })
    }
    await db.transaction(async (trx) => {
      const first = offset
      await trx.table('projects').multiInsert(rows)
      const inserted = await trx
        .from('projects')
        .whereIn(
          'code',
          rows.map((row) => String(row.code))
        )
        .select('id', 'code')
      const idOf = new Map(inserted.map((row) => [row.code, row.id]))
      const items = rows.flatMap((row, index) =>
        generated[first + index].items.map((item, position) => ({
          project_id: idOf.get(row.code),
          position: position + 1,
          category: 'hardware',
          name: item.name,
          quantity: 1,
          unit_price_fen: item.amountFen,
          amount_fen: item.amountFen,
          approved_fen: row.approved_fen === null ? null : item.amountFen,
        }))
      )
      for (let i = 0; i < items.length; i += 300) {
        await trx.table('budget_items').multiInsert(items.slice(i, i + 300))
      }
    })
  }
  const corpusSeconds = (performance.now() - started) / 1000
  started = performance.now()
  const indexed = await duplicateCheck.indexMissing({ batchSize: 1000 })
  const indexSeconds = (performance.now() - started) / 1000
  console.log(
    `corpus: ${args.projects} projects inserted in ${corpusSeconds.toFixed(1)} s; ` +
      `${indexed} past the draft stage indexed in ${indexSeconds.toFixed(1)} s (one-off, batched)`
  )

  // ---- submissions -------------------------------------------------------------------------
  const actor = reviewActorOf(applicant)
  // the bench measures the duplicate check, not uploads: no attachment is required here
  await reviewSettings.update({ ...(await reviewSettings.get()), requiredAttachments: [] }, actor)
  const submitted: { id: number; duplicateOf: number | null }[] = []
  const corpusIds = await Project.query()
    .whereNot('state', 'draft')
    .orderBy('id')
    .select('id', 'code')
  const drafts: { id: number; duplicateOf: number | null }[] = []
  for (let i = 0; i <= args.submissions; i++) {
    const unit = units[Math.floor(random() * units.length)]
    let text: GeneratedProject
    let duplicateOf: number | null = null
    if (i % 2 === 0) {
      const original = corpusIds[Math.floor(random() * corpusIds.length)]
      const index = Number(original.code!.split('-B')[1])
      text = reword(generated[index], unit.name)
      duplicateOf = original.id
    } else {
      text = generate(random, unit.name)
    }
    const draft = await proposals.create(
      {
        title: text.title.slice(0, 200),
        year: 2026,
        category: 'new',
        content: text.content,
        necessity: text.necessity,
        technicalPlan: text.technicalPlan,
        securityLevel: 2,
        plannedStart: new Date(Date.UTC(2026, 2, 1)),
        plannedEnd: new Date(Date.UTC(2026, 10, 30)),
        contactName: '经办人',
        contactPhone: '0571-1234567',
        items: text.items.map((item) => ({
          category: 'hardware',
          name: item.name,
          quantity: 1,
          unitPrice: item.amountFen,
        })),
      },
      actor
    )
    drafts.push({ id: draft.id, duplicateOf })
  }

  const loopDelay = stallMonitor()
  const submitMs: number[] = []
  const checkMs: number[] = []
  // warm up: the worker loads jieba's dictionary once per process, and the first submission
  // loads modules; neither is what a steady server does per submission
  const warmUp = drafts.shift()!
  await proposals.submit(warmUp.id, actor)
  loopDelay.enable()
  for (const draft of drafts) {
    const t0 = performance.now()
    await proposals.submit(draft.id, actor)
    submitMs.push(performance.now() - t0)
    submitted.push(draft)
  }
  for (const draft of drafts) {
    const t0 = performance.now()
    await duplicateCheck.runDuplicateCheck(draft.id, actor, true)
    checkMs.push(performance.now() - t0)
  }
  const submitLoopMax = await loopDelay.disable()
  let caught = 0
  let falseFlags = 0
  for (const { id, duplicateOf } of submitted) {
    const { similarityFlagged: flagged } = await Project.findOrFail(id)
    const { default: SimilarityCheck } = await import('#project_review/models/similarity_check')
    const check = await SimilarityCheck.query()
      .where('project_id', id)
      .orderBy('id', 'desc')
      .firstOrFail()
    if (duplicateOf !== null && flagged && check.matches[0]?.projectId === duplicateOf) caught++
    if (duplicateOf === null && flagged) falseFlags++
  }
  const duplicates = submitted.filter((entry) => entry.duplicateOf !== null).length

  // ---- baseline: the previous algorithm on the same corpus --------------------------------
  let baselineMs = Number.NaN
  let baselineLoopMax = Number.NaN
  let baselineCorpus = 0
  let baselineCaught = '—'
  if (!args.skipBaseline) {
    const target = submitted.find((entry) => entry.duplicateOf !== null)!
    const project = await Project.query().where('id', target.id).preload('items').firstOrFail()
    const delay = stallMonitor()
    delay.enable()
    const t0 = performance.now()
    const query = Project.query()
      .whereNot('state', 'draft')
      .whereNot('id', project.id)
      .preload('items')
      .preload('unit')
      .orderBy('id')
    if (args.baselineCorpus) query.limit(args.baselineCorpus)
    const corpus = await query
    const result = baseline.rankSimilar(
      duplicateCheck.textOf(project),
      corpus.map((other) => duplicateCheck.textOf(other)),
      { topK: duplicateCheck.TOP_MATCHES, threshold: 0.3 }
    )
    baselineMs = performance.now() - t0
    baselineLoopMax = await delay.disable()
    baselineCorpus = corpus.length
    baselineCaught =
      result.matches[0]?.id === target.duplicateOf ? 'top match right' : 'top match wrong'
  }

  // ---- workbench under load ------------------------------------------------------------------
  const base = `http://127.0.0.1:${port}`
  const loginPage = await fetch(`${base}/login`)
  const cookies = new Map<string, string>()
  const keep = (response: Response) => {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';')
      const [name, ...value] = pair.split('=')
      cookies.set(name, value.join('='))
    }
  }
  keep(loginPage)
  const loginHtml = await loginPage.text()
  const csrf = loginHtml.match(/name=['"]_csrf['"] value=['"]([^'"]+)/)![1]
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'cookie': cookieHeader() },
    body: new URLSearchParams({ _csrf: csrf, username: 'bench_reviewer', password }),
  })
  keep(login)
  const probe = await fetch(`${base}/review/projects`, { headers: { cookie: cookieHeader() } })
  const probeHtml = await probe.text()
  if (probe.status !== 200 || !probeHtml.includes('XM20')) {
    throw new Error(`workbench login failed (HTTP ${probe.status})`)
  }
  const years = [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]
  const urls = (i: number) => {
    const r = i % 8
    const page = 1 + (i % 50)
    if (r === 0) return '/review/projects'
    if (r === 1) return `/review/projects?page=${page}`
    if (r === 2) return `/review/projects?year=${years[i % years.length]}`
    if (r === 3) return `/review/projects?unitId=${units[i % units.length].id}`
    if (r === 4) return `/review/projects?state=approved&page=${page}`
    if (r === 5) return `/review/projects?category=${categories[i % 4]}&year=${years[i % 9]}`
    if (r === 6) return `/review/projects?flagged=true`
    return `/review/projects?unitId=${units[i % units.length].id}&year=${years[i % 9]}&state=declined`
  }
  // warm up: the first request of each kind loads controllers and compiles templates
  for (let i = 0; i < 8; i++) {
    const response = await fetch(base + urls(i), { headers: { cookie: cookieHeader() } })
    await response.arrayBuffer()
  }
  const latencies: number[] = []
  let errors = 0
  let issued = 0
  const profiler = args.profile ? await startProfiler() : null
  const delay = stallMonitor()
  delay.enable()
  const cpuBefore = process.cpuUsage()
  const deadline = performance.now() + args.seconds * 1000
  const loadStarted = performance.now()
  await Promise.all(
    Array.from({ length: args.users }, async () => {
      while (performance.now() < deadline && issued < args.maxRequests) {
        const url = urls(issued++)
        const t0 = performance.now()
        const response = await fetch(base + url, { headers: { cookie: cookieHeader() } })
        await response.arrayBuffer()
        latencies.push(performance.now() - t0)
        if (response.status !== 200) errors++
      }
    })
  )
  const loadSeconds = (performance.now() - loadStarted) / 1000
  const loadLoopMax = await delay.disable()
  const cpu = process.cpuUsage(cpuBefore)
  if (profiler) await profiler.stop(args.profile!)
  const cpuPerRequest = (cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length)

  // ---- search and export, one at a time: time and the longest event-loop stall -------------------
  const single: { label: string; ms: number; stall: number; bytes: number }[] = []
  for (const [label, url] of [
    ['search, common word (?q=视频)', `/review/projects?q=${encodeURIComponent('视频')}`],
    ['search, no match (?q=无此项目)', `/review/projects?q=${encodeURIComponent('无此项目')}`],
    [
      'search, page 40 (?q=建设&page=40)',
      `/review/projects?q=${encodeURIComponent('建设')}&page=40`,
    ],
    ['CSV export, every project', '/review/projects?format=csv'],
  ] as const) {
    const stall = stallMonitor()
    stall.enable()
    const t0 = performance.now()
    const response = await fetch(base + url, { headers: { cookie: cookieHeader() } })
    const body = await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`)
    single.push({
      label,
      ms: performance.now() - t0,
      stall: await stall.disable(),
      bytes: body.byteLength,
    })
  }

  // ---- report --------------------------------------------------------------------------------
  const rows: [string, string, string][] = [
    ['', 'term index + worker (now)', 'bigrams over the corpus (before)'],
    [
      'corpus compared',
      `${args.projects} projects (${indexed} indexed)`,
      `${baselineCorpus || '—'} projects loaded`,
    ],
    ['submission p50', ms(percentile(submitMs, 50)), '—'],
    ['submission p95', ms(percentile(submitMs, 95)), '—'],
    ['duplicate check p50', ms(percentile(checkMs, 50)), ms(baselineMs)],
    ['duplicate check p95', ms(percentile(checkMs, 95)), ms(baselineMs)],
    ['max event-loop delay', ms(submitLoopMax), ms(baselineLoopMax)],
    [
      'near-duplicates caught',
      `${caught}/${duplicates} (new proposals flagged: ${falseFlags}/${submitted.length - duplicates})`,
      baselineCaught,
    ],
  ]
  const width = [24, 40, 34]
  console.log('')
  console.log(`Submission (${submitted.length} proposals submitted one after another)`)
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(width[i])).join(''))
  console.log('')
  console.log(
    `Workbench /review/projects — ${args.users} concurrent users, ${latencies.length} requests in ${loadSeconds.toFixed(1)} s`
  )
  console.log(
    `  p50 ${ms(percentile(latencies, 50))}  p95 ${ms(percentile(latencies, 95))}  p99 ${ms(percentile(latencies, 99))}  ` +
      `${(latencies.length / loadSeconds).toFixed(0)} req/s  errors ${errors}  max event-loop delay ${ms(loadLoopMax)}`
  )
  console.log(
    `  CPU per request ${ms(cpuPerRequest)} (server and load loop together); ` +
      `load average at start ${loadAverage.map((value) => value.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs`
  )

  for (const { label, ms: took, stall, bytes } of single) {
    console.log(
      `  ${label.padEnd(34)} ${ms(took).padStart(10)}  max event-loop delay ${ms(stall)}` +
        (bytes > 1_000_000 ? `  (${(bytes / 1_000_000).toFixed(1)} MB)` : '')
    )
  }

  await similarityPool.close()
  await ignitor.terminate()
  if (!args.keep && !args.mysql) rmSync(dir, { recursive: true, force: true })
  else if (args.keep) console.log(`kept ${dir}`)
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
