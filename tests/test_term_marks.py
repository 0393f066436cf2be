"""Terms the text marks (quotes, glosses, acronyms) and CC-CEDICT words given to jieba (own texts)."""

from __future__ import annotations

import math

from termalign.termbase.extract import AlignedPair, Candidate
from termalign.termbase.marked import pair_marks, spells
from termalign.termbase.termhood import dictionary_words, en_tokens, zh_tokens
from termalign.termbase.terms import TermConfig, extract_terms


def test_initials_spell_an_acronym_with_optional_function_words():
    assert spells(["mixture", "of", "expert"], "MoE")
    assert spells(["semiconductor", "manufacturing", "international", "corporation"], "SMIC")
    assert spells(["artificial", "general", "intelligence"], "AGI")
    assert not spells(["mixture", "of", "expert"], "MLA")
    assert not spells(["load", "balancing"], "LBX") and not spells(["model"], "M")


def test_quotes_on_both_sides_mark_a_term():
    marks = pair_marks("这里的“MoE”指的是“混合专家”。", "The “MoE” here refers to “mixture of experts”.")
    assert marks.marked("混合专家", "mixture of experts")
    assert not marks.marked("混合专家", "refers")  # quoted on one side only
    plain = pair_marks("这里的MoE指的是混合专家。", "The MoE here refers to mixture of experts.")
    assert plain.marked("混合专家", "mixture of experts")  # the acronym in the same pair
    none = pair_marks("这里指的是混合专家。", "This refers to mixture of experts.")
    assert not none.marked("混合专家", "mixture of experts")


def test_a_bracketed_gloss_marks_the_chinese_term():
    marks = pair_marks("每个节点运行容器运行时（Container Runtime）。", "Each node runs a container runtime.")
    assert marks.marked("容器运行时", "container runtime")
    assert marks.marked("运行时", "container runtime")  # the run before the bracket ends with it
    assert not marks.marked("节点", "container runtime")


def test_cedict_headwords_fix_jieba_cuts_without_breaking_common_words():
    plain = [t.text for t in zh_tokens("台积电7纳米芯片") if t is not None]
    with_dict = [t.text for t in zh_tokens("台积电7纳米芯片", dictionary=True) if t is not None]
    assert "台积电" not in plain and "台积电" in with_dict
    common = [t.text for t in zh_tokens("中国人民的芯片", dictionary=True) if t is not None]
    assert common[:2] == ["中国", "人民"]  # a CEDICT phrase of common words stays cut
    words = {w: (f, tag) for w, f, tag in dictionary_words({})}
    assert words["台积电"] == (1, "n") and all(len(w) >= 2 for w in list(words)[:1000])


PAIRS = [
    AlignedPair("模型很大。", "The model is large.", "m:1"),
    AlignedPair("模型很快。", "The model is fast.", "m:2"),
    AlignedPair("模型需要数据。", "The model needs data.", "m:3"),
    AlignedPair("数据很多。", "The data is plentiful.", "m:4"),
    AlignedPair("数据很贵。", "The data is expensive.", "m:5"),
    AlignedPair("这种方法叫“蒸馏”。", "This method is called “distillation”.", "m:6"),
    AlignedPair("带宽很慢。", "Bandwidth is slow.", "m:7"),
]


def test_a_marked_one_off_pair_outranks_an_unmarked_one():
    def rank(config: TermConfig, source: str) -> int:
        terms = [c for c in extract_terms(PAIRS, config) if c.kind == "term"]
        return next(i for i, c in enumerate(terms) if c.source == source)

    marked, unmarked = TermConfig(), TermConfig(marked_weight=0.0)
    assert rank(unmarked, "蒸馏") > rank(unmarked, "带宽")  # both one-off: the quotes make the difference
    assert rank(marked, "蒸馏") < rank(marked, "带宽")


def test_one_off_forms_of_one_term_pool_their_evidence():
    from collections import Counter

    from termalign.termbase.terms import _Evidence, _prepare, _variants

    pairs = [
        AlignedPair("模型发展了思维链。", "The model developed chains-of-thought.", "v:1"),
        AlignedPair("链式思维很有用。", "Chain-of-thought is useful.", "v:2"),
        AlignedPair("思维很重要。", "Thinking matters.", "v:3"),
    ]
    config = TermConfig()
    zh, _ = _prepare(pairs, config)
    t = "chain of thought"
    align = {("思维链", t): 0.8, ("链式思维", t): 0.7, ("思维", t): 0.6}
    ev = _Evidence(align, Counter(dict.fromkeys(align, 1)), {})  # type: ignore[arg-type]
    forms = _variants(zh, ev, config)
    assert forms[("思维链", t)] == ["链式思维"] and forms[("链式思维", t)] == ["思维链"]
    assert ("思维", t) not in forms  # 思维 recurs, and sits inside both: not another form
    assert _variants(zh, ev, TermConfig(pool_variants=False)) == {}


def test_verification_reorders_the_top_by_the_model_likelihood_only():
    from termalign.termbase.extract import Candidate
    from termalign.termbase.verify import verify_renderings

    def cand(source: str, target: str, score: float) -> Candidate:
        return Candidate(source, target, score, 0.0, 0.0, 1, 1, 1, False, ())

    cands = [
        cand("模型需要数据", "model needs data", 1.0),
        cand("蒸馏", "distillation", 0.9),
        cand("带宽", "x", 0.1),
    ]
    likely = {"distillation": [-0.1, -0.1], "model needs data": [-3.0, -2.0, -4.0]}
    asked: list[str] = []

    def scorer(sources, targets):
        asked.extend(targets)
        return [likely[t] for t in targets]

    out = verify_renderings(cands, scorer, top=2)
    assert [c.source for c in out] == ["蒸馏", "模型需要数据", "带宽"]
    assert asked == ["model needs data", "distillation"]  # below the top: not scored, order kept
    assert out[2] == cands[2] and verify_renderings([], scorer) == []


def test_verification_against_a_neutral_text_rewards_what_the_term_explains():
    from termalign.termbase.extract import Candidate
    from termalign.termbase.verify import verify_renderings

    cands = [
        Candidate("模型", "model", 1.0, 0.0, 0.0, 1, 1, 1, False, ()),
        Candidate("蒸馏", "distillation", 0.9, 0.0, 0.0, 1, 1, 1, False, ()),
    ]
    given = {("模型", "model"): -0.1, ("。", "model"): -0.2, ("蒸馏", "distillation"): -0.3}

    def scorer(sources, targets):
        return [[given.get((s, t), -5.0)] for s, t in zip(sources, targets, strict=True)]

    plain = verify_renderings(cands, scorer)
    relative = verify_renderings(cands, scorer, contrast="。")
    assert plain[0].source == "模型" and relative[0].source == "蒸馏"


def test_an_english_verb_counts_as_its_action_noun():
    from termalign.termbase.termhood import action_noun_spans

    nouns = frozenset({"eviction", "preemption", "deployment", "toleration"})
    words = [t for t in en_tokens("The kubelet evicted Pods and tolerates taints; it preempts them.") if t]
    spans = action_noun_spans(words, nouns)
    assert [(s.key, s.surface) for s in spans] == [
        ("eviction", "evicted"),
        ("toleration", "tolerates"),
        ("preemption", "preempts"),
    ]
    assert action_noun_spans(words, frozenset({"kubelet"})) == []  # no action noun in the text: nothing
    capitalised = [t for t in en_tokens("Evicted Pods restart.") if t]
    assert action_noun_spans(capitalised, nouns) == []  # a capitalised word may be a name


EVICTION = [
    AlignedPair("节点压力导致驱逐。", "Node pressure causes eviction.", "e:1"),
    AlignedPair("驱逐有两种。", "There are two kinds of eviction.", "e:2"),
    AlignedPair("kubelet 驱逐 Pod。", "The kubelet evicts Pods.", "e:3"),
    AlignedPair("Pod 被驱逐了。", "The Pod was evicted.", "e:4"),
    AlignedPair("节点很多。", "There are many nodes.", "e:5"),
    AlignedPair("节点很忙。", "The node is busy.", "e:6"),
]


def test_verb_uses_add_to_the_evidence_of_the_action_noun():
    def pair(config: TermConfig) -> Candidate:
        return next(c for c in extract_terms(EVICTION, config) if c.source == "驱逐")

    with_verbs, nouns_only = pair(TermConfig()), pair(TermConfig(action_nouns=False))
    assert with_verbs.target == nouns_only.target == "eviction"
    assert nouns_only.count_pair == 2 and with_verbs.count_pair > 2  # the verbs' pairs count too
    assert with_verbs.score > nouns_only.score
    assert {"evicts", "evicted"} <= set(with_verbs.variants)  # verb forms kept as accepted renderings


def test_pooled_forms_pool_their_termhood_too():
    pairs = [
        AlignedPair("模型发展了思维链。", "The model developed chains-of-thought.", "c:1"),
        AlignedPair("链式思维很有用。", "Chain-of-thought is useful.", "c:2"),
        AlignedPair("模型很大。", "The model is large.", "c:3"),
        AlignedPair("模型很快。", "The model is fast.", "c:4"),
    ]

    def pair(config: TermConfig) -> Candidate:
        return next(c for c in extract_terms(pairs, config) if c.source == "思维链")

    pooled, alone = pair(TermConfig()), pair(TermConfig(pool_termhood=False))
    assert pooled.count_source == alone.count_source == 2  # both pool the counts
    assert pooled.termhood_source > alone.termhood_source and pooled.score > alone.score


def test_a_verb_counts_as_its_noun_at_most_as_often_as_the_noun_occurs():
    from termalign.termbase.termhood import en_spans
    from termalign.termbase.terms import _with_action_nouns

    texts = ["The creation of Pods.", "It creates Pods.", "They created Pods.", "We create Pods."]
    tokens = [en_tokens(t) for t in texts]
    words = [[t for t in ts if t is not None] for ts in tokens]
    spans = [en_spans(ts) for ts in tokens]

    def pairs_with(key: str, cap: bool) -> int:
        return sum(any(s.key == key for s in sp) for sp in _with_action_nouns(spans, words, cap))

    assert pairs_with("creation", cap=False) == 4
    assert pairs_with("creation", cap=True) == 2  # one noun use: one verb use more, not three


def test_pairs_of_another_written_form_do_not_count_against_a_form():
    from collections import Counter, defaultdict

    from termalign.termbase.terms import _Evidence, _other_forms

    t = "control plane"
    align = {("控制平面", t): 2.0, ("控制面", t): 4.0, ("控制", t): 3.0, ("平面", "plane"): 1.0}
    cooc = Counter({("控制平面", t): 2, ("控制面", t): 4, ("控制", t): 6, ("平面", "plane"): 1})
    where = defaultdict(set)
    where.update({("控制平面", t): {1, 2}, ("控制面", t): {3, 4, 5, 6}, ("控制", t): set(range(1, 7))})
    ev = _Evidence(defaultdict(float, align), cooc, {}, where=where)
    others = _other_forms(ev, TermConfig())
    assert others[("控制平面", t)] == 4 and others[("控制面", t)] == 2  # each other's pairs
    assert ("控制", t) not in others  # 控制 sits inside both forms, in the same pairs: not a form
    assert _other_forms(ev, TermConfig(other_forms=False)) == {}


def test_written_forms_share_their_characters():
    from termalign.termbase.terms import _same_characters

    def same(a: str, b: str, substitution: bool = True) -> bool:
        return _same_characters(frozenset(a), frozenset(b), substitution)

    assert same("控制面", "控制平面") and same("思维链", "链式思维")
    assert same("名字空间", "命名空间") and not same("名字空间", "命名空间", substitution=False)
    assert not same("控制器", "控制平面")  # two characters swapped: another word
    assert not same("节点", "容器")


def test_the_chinese_rendering_of_an_english_name_becomes_a_word():
    from termalign.termbase.termhood import name_anchored_words

    sources = ["中芯国际的芯片很多。", "美国限制中芯国际的设备。", "中国的芯片很多。", "国际市场很大。"]
    targets = ["SMIC has many chips.", "The U.S. limits SMIC tools.", "China has many chips.", "Big market."]
    assert name_anchored_words(sources, targets) == ("中芯国际",)  # 的 trimmed; 芯片 also occurs elsewhere
    assert name_anchored_words(sources[:1], targets[:1]) == ()  # seen once: not enough
    kept = ["SMIC 的芯片很多。", "美国限制 SMIC 的设备。"]
    assert name_anchored_words(kept, targets[:2]) == ()  # written in Latin on the Chinese side


def test_user_words_can_be_terms():
    tokens = [t for t in zh_tokens("我们和中芯国际的芯片", ("中芯国际",)) if t is not None]
    word = next(t for t in tokens if t.text == "中芯国际")
    assert word.tag == "nz"  # not posseg's "x", which no term may start or end with


def test_verification_in_context_scores_only_the_rendering_after_its_prefix():
    from termalign.termbase.verify import verify_in_context

    cands = [
        Candidate("清单", "manifest", 1.0, 0.0, 0.0, 1, 1, 1, False, ()),
        Candidate("用户", "user", 0.9, 0.0, 0.0, 1, 1, 1, False, ()),
        Candidate("节点", "node", 0.8, 0.0, 0.0, 1, 1, 1, False, ()),
    ]
    contexts = [("写一个清单。", "Write a ", "manifest"), ("用户很多。", "Many ", "users"), None]
    per_token = {"Write a": [-1.0, -1.0], "Write a manifest": [-1.0, -1.0, -4.0, -4.0], "Many": [-2.0]}
    per_token["Many users"] = [-2.0, -0.1]
    asked: list[tuple[str, str]] = []

    def scorer(sources, targets):
        asked.extend(zip(sources, targets, strict=True))
        return [per_token[t] + [-9.0] for t in targets]  # the end token, which must not count

    out = verify_in_context(cands, scorer, contexts, top=3)
    assert [c.source for c in out] == ["用户", "节点", "清单"]
    assert out[0].score == round(0.9 * math.exp(-0.1), 6) and out[1].score == 0.8  # no context: kept
    assert out[2].score == round(1.0 * math.exp(-4.0), 6)  # mean over the rendering's own tokens
    assert ("写一个清单。", "Write a") in asked and ("写一个清单。", "Write a manifest") in asked
