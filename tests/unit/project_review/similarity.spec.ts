import { test } from '@japa/runner'
import {
  DEFAULT_SIMILARITY_THRESHOLD,
  corpusStats,
  highlight,
  normalizePhrases,
  rankDocuments,
  rankSimilar,
  termCounts,
  tokenize,
} from '#project_review/domain/similarity'
import {
  BOILERPLATE_ONLY,
  EARLIER_PROJECTS,
  OVERLAPPING_CAMERAS_PROPOSAL,
  REPHRASED_POLICE_PROJECT,
  UNRELATED_PROPOSALS,
} from '#tests/unit/project_review/similarity_fixtures'

test.group('Similarity | tokenizer', () => {
  test('cuts Chinese into words with jieba and keeps ASCII words and numbers', ({ assert }) => {
    assert.deepEqual(tokenize('视频监控摄像机'), ['视频', '监控', '摄像机'])
    assert.deepEqual(tokenize('新增IPv6网关 200路'), ['新增', 'ipv6', '网关', '200'])
  })

  test('folds full-width digits and letters so ２００路 matches 200路', ({ assert }) => {
    assert.deepEqual(tokenize('２００路４Ｋ摄像机'), tokenize('200路4K摄像机'))
  })

  test('leaves out bureau boilerplate, words glued from it and agency names', ({ assert }) => {
    assert.deepEqual(tokenize('县信息化管理服务平台建设项目'), [])
    assert.deepEqual(tokenize('县教育局学籍管理系统'), ['学籍'])
    assert.deepEqual(tokenize('县卫健委数据共享交换平台'), ['交换'])
  })

  test('leaves out the unit names it is given, never cutting them into pairs', ({ assert }) => {
    const exclude = normalizePhrases(['某某镇卫生院', '县卫生健康委员会'])
    assert.deepEqual(tokenize('某某镇卫生院远程心电诊断系统', exclude), [
      '远程',
      '心电',
      '诊断系统',
    ])
    assert.deepEqual(tokenize('县卫生健康委员会电子病历', exclude), ['电子病历'])
  })

  test('punctuation separates words', ({ assert }) => {
    assert.deepEqual(tokenize('雨量站，水位站'), ['雨量站', '水位站'])
  })
})

test.group('Similarity | highlighting', () => {
  test('marks the shared words in place; the pieces join back to the original text', ({
    assert,
  }) => {
    const text = '新增高清网络摄像机２００路，覆盖主要路口'
    const pieces = highlight(text, new Set(['摄像机', '200', '路口']))
    assert.equal(pieces.map((piece) => piece.text).join(''), text)
    assert.deepEqual(
      pieces.filter((piece) => piece.shared).map((piece) => piece.text),
      ['摄像机２００', '路口']
    )
  })

  test('never marks a word inside a unit name', ({ assert }) => {
    const text = '县卫生健康委员会汇聚居民健康档案'
    const pieces = highlight(
      text,
      new Set(['健康', '档案']),
      normalizePhrases(['县卫生健康委员会'])
    )
    assert.equal(pieces.map((piece) => piece.text).join(''), text)
    assert.deepEqual(
      pieces.filter((piece) => piece.shared).map((piece) => piece.text),
      ['健康档案']
    )
  })
})

test.group('Similarity | duplicate-construction check', () => {
  test('a reworded copy of the police video project ranks first and is flagged', ({ assert }) => {
    const result = rankSimilar(REPHRASED_POLICE_PROJECT, EARLIER_PROJECTS)
    assert.isTrue(result.flagged)
    assert.equal(result.matches[0].id, 101)
    assert.isTrue(result.matches[0].flagged)
    assert.isAbove(result.matches[0].score, 0.55)
    assert.isAtMost(result.matches[0].score, 1)
    for (const other of result.matches.slice(1)) {
      assert.isBelow(other.score, 0.15, `project ${other.id}`)
      assert.isFalse(other.flagged)
    }
  })

  test('the shared terms show the reviewer what the copies have in common', ({ assert }) => {
    const [best] = rankSimilar(REPHRASED_POLICE_PROJECT, EARLIER_PROJECTS).matches
    assert.includeMembers(best.sharedTerms, ['视频', '扩容', '人脸', '结构化', '云存储'])
    assert.lengthOf(best.sharedTerms, 8)
    for (const term of best.sharedTerms) {
      assert.isAtLeast([...term].length, 2, 'a word, not a character')
      assert.notInclude(['公安局', '建设项目', '平台', '系统', '服务', '管理', '数据'], term)
    }
  })

  test('another unit re-building cameras the police already run is flagged', ({ assert }) => {
    const result = rankSimilar(OVERLAPPING_CAMERAS_PROPOSAL, EARLIER_PROJECTS)
    assert.isTrue(result.flagged)
    assert.equal(result.matches[0].id, 101)
    assert.isAbove(result.matches[0].score, DEFAULT_SIMILARITY_THRESHOLD)
    assert.isBelow(result.matches[0].score, 0.45)
    assert.includeMembers(result.matches[0].sharedTerms, ['视频', '路口', '农贸市场'])
  })

  test('different projects in the same bureau style stay well below the threshold', ({
    assert,
  }) => {
    for (const proposal of UNRELATED_PROPOSALS) {
      const result = rankSimilar(proposal, EARLIER_PROJECTS)
      assert.isFalse(result.flagged, proposal.title)
      for (const match of result.matches) assert.isBelow(match.score, 0.15, proposal.title)
    }
  })

  test('no earlier project looks like a duplicate of another earlier project', ({ assert }) => {
    for (const project of EARLIER_PROJECTS) {
      const result = rankSimilar(project, EARLIER_PROJECTS)
      assert.isFalse(result.flagged, project.title)
      assert.notInclude(
        result.matches.map((match) => match.id),
        project.id,
        'a resubmission is not compared with itself'
      )
    }
  })

  test('the police, education, medical-insurance and hydrology projects share only boilerplate', ({
    assert,
  }) => {
    const education = EARLIER_PROJECTS.find((project) => project.id === 102)!
    const insurance = EARLIER_PROJECTS.find((project) => project.id === 103)!
    const hydrology = EARLIER_PROJECTS.find((project) => project.id === 104)!
    const result = rankSimilar(REPHRASED_POLICE_PROJECT, EARLIER_PROJECTS, { topK: 20 })
    for (const unrelated of [education, insurance, hydrology]) {
      const match = result.matches.find((m) => m.id === unrelated.id)
      assert.isBelow(match?.score ?? 0, 0.1, unrelated.title)
    }
  })

  test('titles made only of boilerplate do not match each other', ({ assert }) => {
    const [first, second] = BOILERPLATE_ONLY
    assert.deepEqual(rankSimilar(first, [second]), { matches: [], flagged: false })
    assert.isFalse(rankSimilar(first, [second, ...EARLIER_PROJECTS]).flagged)
  })

  test('a duplicate is caught even when the corpus holds a single earlier project', ({
    assert,
  }) => {
    const result = rankSimilar(REPHRASED_POLICE_PROJECT, [EARLIER_PROJECTS[0]])
    assert.isTrue(result.flagged)
    assert.equal(result.matches[0].id, 101)
  })

  test('an identical proposal scores 1', ({ assert }) => {
    const copy = { ...EARLIER_PROJECTS[3], id: 999 }
    const [best] = rankSimilar(copy, EARLIER_PROJECTS).matches
    assert.equal(best.id, EARLIER_PROJECTS[3].id)
    assert.equal(best.score, 1)
  })

  test('returns at most topK matches, best first, and honours a custom threshold', ({ assert }) => {
    const result = rankSimilar(REPHRASED_POLICE_PROJECT, EARLIER_PROJECTS, {
      topK: 3,
      threshold: 0.9,
    })
    assert.lengthOf(result.matches, 3)
    const scores = result.matches.map((match) => match.score)
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a)
    )
    assert.isFalse(result.flagged)
  })

  test('an empty corpus yields no matches', ({ assert }) => {
    assert.deepEqual(rankSimilar(REPHRASED_POLICE_PROJECT, []), { matches: [], flagged: false })
  })
})

test.group('Similarity | unit names', () => {
  test('two projects of one unit do not match on the unit name', ({ assert }) => {
    const first = {
      id: 1,
      title: '某某镇卫生院远程心电诊断项目',
      content: '某某镇卫生院与县人民医院开展远程心电诊断，配备十二导联心电图机。',
    }
    const second = {
      id: 2,
      title: '某某镇卫生院食堂改造项目',
      content: '某某镇卫生院职工食堂更换厨具和排烟设备。',
    }
    const withName = rankSimilar(first, [second])
    assert.include(withName.matches[0]?.sharedTerms ?? [], '卫生院', 'without exclusion')
    const result = rankSimilar(first, [second], { exclude: ['某某镇卫生院'] })
    assert.deepEqual(result.matches, [])
  })
})

test.group('Similarity | indexed documents', () => {
  test('ranking stored term counts with corpus statistics gives the in-memory result', ({
    assert,
  }) => {
    const documents = EARLIER_PROJECTS.map((project) => ({
      id: project.id,
      terms: termCounts(project),
    }))
    const candidate = { id: 201, terms: termCounts(REPHRASED_POLICE_PROJECT) }
    const stats = corpusStats([candidate.terms, ...documents.map((document) => document.terms)])
    // only a preselected few are ranked; the statistics still cover the whole corpus
    const preselected = documents.filter((document) => [101, 110].includes(Number(document.id)))
    assert.deepEqual(
      rankDocuments(candidate, preselected, stats, { topK: 2 }),
      rankSimilar(REPHRASED_POLICE_PROJECT, EARLIER_PROJECTS, { topK: 2 })
    )
  })
})
