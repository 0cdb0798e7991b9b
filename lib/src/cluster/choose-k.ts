/**
 * The one rule for the number of clusters, from the numbers of `analyzeK` (or hand-made ones):
 *
 * 'elbow' (default): the knee of the inertia curve (Kneedle), where more clusters stop paying off,
 * provided it is stable (mean bootstrap ARI >= minStability, 0.8) and keeps at least minSeparation
 * (half) of the best stable silhouette; otherwise the largest smaller k that does. The best
 * silhouette alone almost always picks k = 2 on faces (the descriptor's strongest axis is gender),
 * a true but uninformative split: the elbow gives the finest partition that is still stable and
 * well separated. When no k at or below the elbow qualifies, the silhouette rule decides.
 * 'silhouette': among the stable k (all k when none is, with a warning), the best mean silhouette;
 * k within `tolerance` of it are a near-tie, won by the smallest.
 * A k fixed by the user (`k: 6`) is taken as it is, and the reasons say what the rule would pick.
 * Thresholds: DEFAULTS.chooseK (defaults.ts). Only k <= maxK (10, the task's limit) are considered.
 */
import { DataError, InvalidParameterError, integerInRange, numberInRange, oneOf, withDefaults } from '../validate';
import { DEFAULTS } from './defaults';

/** What the rule reads of an analysis: per k its metrics; the bootstrap settings when known. */
export interface AnalysisLike {
  scores: (KScoreLike & { inertia: number })[];
  bootstrap?: { samples: number; fraction?: number };
}

export interface ChooseKOptions {
  /** 'auto' (the rule decides) or a number of clusters fixed by the user (2..maxK). */
  k?: number | 'auto';
  /** 'elbow' (default) or 'silhouette' (see module comment). */
  rule?: KRule;
  /** Largest k allowed (default 10, the task's limit). */
  maxK?: number;
  /** Smallest mean bootstrap ARI for a k to count as stable (default 0.8). */
  minStability?: number;
  /** The elbow's k must keep at least this share of the best stable silhouette (default 0.5). */
  minSeparation?: number;
  /** Silhouettes within this of the best are a near-tie, won by the smallest k (default 0.01). */
  tolerance?: number;
}

export type KRule = 'elbow' | 'silhouette';

export interface KChoice {
  k: number;
  /** The rule that decided, in one line. */
  method: string;
  /** The steps of the rule with their numbers, one per line. */
  reasons: string[];
  /** One paragraph citing the numbers, for the report. */
  justification: string;
  /** The k that passed the stability filter. */
  stableKs: number[];
  /** The k whose silhouette is within tolerance of the best stable one. */
  nearTies: number[];
}

/** The metrics of one k that the rule reads. */
export interface KScoreLike {
  k: number;
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
  stability: number;
  stabilityScores?: number[];
}

const f2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : String(v));
const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : String(v));
const ordinal = (r: number): string => (r === 1 ? 'lowest' : r === 2 ? '2nd lowest' : r === 3 ? '3rd lowest' : `${r}th lowest`);
const ordinalHigh = (r: number): string => (r === 1 ? 'highest' : r === 2 ? '2nd highest' : r === 3 ? '3rd highest' : `${r}th highest`);

/**
 * Chooses k from an analysis with a rule a person can check on the charts:
 * 1. only k <= maxK;
 * 2. keep the stable k (mean bootstrap ARI >= minStability); if none is stable, keep all and say so;
 *    if stability was not measured, skip this step;
 * 3. among those, the best mean silhouette; every k within `tolerance` of it is a near-tie and the
 *    smallest such k wins (fewer clusters are easier to explain);
 * 4. Davies-Bouldin (lower better) and Calinski-Harabasz (higher better) ranks of the choice are
 *    reported as a cross-check; when both prefer the same other stable k, the reasons say so.
 */
function silhouetteRule(analysis: AnalysisLike, maxK: number, minStab: number, tol: number): KChoice {
  const all = analysis.scores.filter((s) => s.k <= maxK && Number.isFinite(s.silhouette));
  if (all.length === 0) throw new DataError(`chooseK: no k <= maxK=${maxK} with a finite silhouette in the analysis`);
  const reasons: string[] = [];
  const range = `${Math.min(...all.map((s) => s.k))}..${Math.max(...all.map((s) => s.k))}`;
  const measured = all.some((s) => Number.isFinite(s.stability));
  const nBoot = (analysis as { bootstrap?: { samples: number } }).bootstrap?.samples ?? all[0].stabilityScores?.length ?? 0;
  let pool = all;
  let stabilityNote = '';
  if (!measured) {
    reasons.push('stability was not measured (no bootstrap): the choice rests on the silhouette alone');
    stabilityNote = 'stability not measured';
  } else {
    const stable = all.filter((s) => s.stability >= minStab);
    if (stable.length === 0) {
      const best = all.reduce((a, b) => (b.stability > a.stability ? b : a));
      reasons.push(`no k reaches stability ${f2(minStab)} (best: ARI ${f2(best.stability)} at k=${best.k}): every k is kept, the clusters are not reproducible and should be read with care`);
      stabilityNote = 'no k is stable';
    } else {
      pool = stable;
      reasons.push(`stable k (mean bootstrap ARI >= ${f2(minStab)}): ${stable.map((s) => `${s.k} (${f2(s.stability)})`).join(', ')}`);
      const dropped = all.filter((s) => s.stability < minStab);
      if (dropped.length) reasons.push(`unstable, left out: ${dropped.map((s) => `${s.k} (${f2(s.stability)})`).join(', ')}`);
    }
  }
  const bySil = [...pool].sort((a, b) => b.silhouette - a.silhouette || a.k - b.k);
  const top = bySil[0];
  const ties = pool.filter((s) => s.silhouette >= top.silhouette - tol).sort((a, b) => a.k - b.k);
  const chosen = ties[0];
  if (ties.length > 1) {
    reasons.push(`best silhouette ${f3(top.silhouette)} at k=${top.k}; within ${tol} of it: ${ties.map((s) => `k=${s.k} (${f3(s.silhouette)})`).join(', ')}: the smallest, k=${chosen.k}, wins the near-tie`);
  } else {
    reasons.push(`best silhouette among them: k=${chosen.k} (${f3(chosen.silhouette)})`);
  }
  // cross-checks
  const dbRank = 1 + all.filter((s) => s.daviesBouldin < chosen.daviesBouldin).length;
  const chRank = 1 + all.filter((s) => s.calinskiHarabasz > chosen.calinskiHarabasz).length;
  const dbBest = all.reduce((a, b) => (b.daviesBouldin < a.daviesBouldin ? b : a));
  const chBest = all.reduce((a, b) => (b.calinskiHarabasz > a.calinskiHarabasz ? b : a));
  reasons.push(`cross-check: Davies-Bouldin ${f2(chosen.daviesBouldin)} (${ordinal(dbRank)} of ${range}), Calinski-Harabasz ${chosen.calinskiHarabasz.toFixed(0)} (${ordinalHigh(chRank)})`);
  if (dbBest.k === chBest.k && dbBest.k !== chosen.k && pool.includes(dbBest)) {
    reasons.push(`note: Davies-Bouldin and Calinski-Harabasz both prefer k=${dbBest.k} (silhouette ${f3(dbBest.silhouette)}); the silhouette rule keeps k=${chosen.k}`);
  }
  const next = [...all].filter((s) => s.k !== chosen.k).sort((a, b) => b.silhouette - a.silhouette)[0];
  const better = all.filter((s) => s.silhouette > chosen.silhouette).sort((a, b) => b.silhouette - a.silhouette);
  let silPart: string;
  if (better.length === 0) {
    silPart = `silhouette ${f2(chosen.silhouette)} (best of ${range}${next ? `, next ${f2(next.silhouette)} at k=${next.k}` : ''})`;
  } else {
    const parts: string[] = [];
    const stableBetter = better.filter((s) => pool.includes(s));
    const unstableBetter = better.filter((s) => !pool.includes(s));
    parts.push(stableBetter.length
      ? `within ${tol} of the best, ${f3(stableBetter[0].silhouette)} at k=${stableBetter[0].k}: the smaller k wins`
      : `best among stable k`);
    if (unstableBetter.length) parts.push(`higher at unstable ${unstableBetter.map((s) => `k=${s.k}: ${f2(s.silhouette)}`).join(', ')}`);
    silPart = `silhouette ${f3(chosen.silhouette)} (${parts.join('; ')})`;
  }
  const stabPart = Number.isFinite(chosen.stability)
    ? `stability ARI ${f2(chosen.stability)} over ${nBoot} bootstraps${stabilityNote ? ` (${stabilityNote})` : ''}`
    : stabilityNote;
  const justification = `k=${chosen.k}: ${silPart}, ${stabPart}, Davies-Bouldin ${f2(chosen.daviesBouldin)} (${ordinal(dbRank)}), Calinski-Harabasz ${chosen.calinskiHarabasz.toFixed(0)} (${ordinalHigh(chRank)}).`;
  const method = measured
    ? `best silhouette among k <= ${maxK} with stability >= ${f2(minStab)}; near-ties (within ${tol}) go to the smallest k`
    : `best silhouette among k <= ${maxK}; near-ties (within ${tol}) go to the smallest k`;
  return {
    k: chosen.k, method, reasons, justification,
    stableKs: measured ? all.filter((s) => s.stability >= minStab).map((s) => s.k) : all.map((s) => s.k),
    nearTies: ties.map((s) => s.k),
  };
}

/**
 * Knee of the inertia curve (Kneedle): with k and inertia scaled to [0, 1], the k farthest below
 * the straight line from the first to the last point. Returns the k and that distance.
 */
export function inertiaKnee(scores: { k: number; inertia: number }[]): { k: number; distance: number } {
  if (scores.length < 3) return { k: scores[0]?.k ?? 2, distance: 0 };
  const k0 = scores[0].k;
  const k1 = scores[scores.length - 1].k;
  const y0 = scores[0].inertia;
  const y1 = scores[scores.length - 1].inertia;
  let best = { k: scores[0].k, distance: -Infinity };
  for (const s of scores) {
    const xn = (s.k - k0) / (k1 - k0);
    const yn = y0 === y1 ? 0 : (s.inertia - y1) / (y0 - y1);
    const d = 1 - xn - yn;
    if (d > best.distance) best = { k: s.k, distance: d };
  }
  return best;
}


/** The number of clusters by the rule of the module comment, or the k the user fixed. */
export function chooseK(analysis: AnalysisLike, options?: ChooseKOptions): KChoice {
  const o = withDefaults('chooseK options', DEFAULTS.chooseK as Required<ChooseKOptions>, options);
  const maxK = integerInRange('maxK', o.maxK, 2);
  const minStab = numberInRange('minStability', o.minStability, -1, 1);
  const minSep = numberInRange('minSeparation', o.minSeparation, 0, 1);
  const tol = numberInRange('tolerance', o.tolerance, 0);
  const rule = oneOf('rule', o.rule, ['elbow', 'silhouette'] as const);
  const fixed = o.k;
  if (!analysis || !Array.isArray(analysis.scores)) throw new InvalidParameterError('analysis', 'an analyzeK() result', analysis);
  const bySilhouette = silhouetteRule(analysis, maxK, minStab, tol);
  const scores = analysis.scores.filter((s) => s.k <= maxK);
  const measured = scores.some((s) => Number.isFinite(s.stability));
  const stable = scores.filter((s) => !measured || s.stability >= minStab);
  const pool = stable.length ? stable : scores;
  const bestSil = Math.max(...pool.map((s) => s.silhouette));
  const knee = inertiaKnee(scores);
  if (fixed !== 'auto') {
    integerInRange('k', fixed, 2, maxK);
    const s = scores.find((x) => x.k === fixed);
    if (!s) throw new DataError(`k=${fixed} was not analysed (analysed: ${analysis.scores.map((x) => x.k).join(', ')})`);
    return {
      ...bySilhouette,
      k: fixed,
      method: `fixed by the user (k=${fixed})`,
      reasons: [`k=${fixed} was fixed by the user.`, `the elbow of the inertia curve is at k=${knee.k}; the best stable silhouette at k=${bySilhouette.k}.`, ...bySilhouette.reasons],
      justification: `k=${fixed} was fixed by the user (silhouette ${f3(s.silhouette)}, stability ARI ${f2(s.stability)}, Davies-Bouldin ${f2(s.daviesBouldin)}); the metrics alone would choose k=${knee.k} (elbow) or k=${bySilhouette.k} (best silhouette).`,
    };
  }
  if (rule === 'silhouette') return bySilhouette;
  const ok = (s: KScoreLike) => (!measured || s.stability >= minStab) && s.silhouette >= minSep * bestSil;
  let pick = scores.find((s) => s.k === knee.k && ok(s));
  let stepped = false;
  if (!pick) {
    pick = [...scores].filter((s) => s.k < knee.k && ok(s)).sort((a, b) => b.k - a.k)[0];
    stepped = true;
  }
  if (!pick) return { ...bySilhouette, reasons: [`no k at or below the elbow (k=${knee.k}) is both stable and keeps ${Math.round(100 * minSep)}% of the best silhouette: the silhouette rule decides.`, ...bySilhouette.reasons] };
  const next = scores.find((s) => s.k === pick!.k + 1);
  const sil = scores.find((s) => s.k === bySilhouette.k)!;
  const reasons = [
    `elbow: the inertia curve bends most at k=${knee.k} (Kneedle distance ${knee.distance.toFixed(2)} below the line from k=${scores[0].k} to k=${scores[scores.length - 1].k})${stepped ? `, but k=${knee.k} is unstable or poorly separated, so the largest smaller k that is neither: k=${pick.k}` : ''}.`,
    measured ? `stable: mean bootstrap ARI ${f2(pick.stability)}${analysis.bootstrap ? ` over ${analysis.bootstrap.samples} subsets of ${Math.round(100 * (analysis.bootstrap.fraction ?? 0.8))}%` : ''} (threshold ${f2(minStab)}).` : 'stability was not measured.',
    `separated: silhouette ${f3(pick.silhouette)}, at least ${Math.round(100 * minSep)}% of the best stable one (${f3(bestSil)} at k=${bySilhouette.k}); Davies-Bouldin ${f2(pick.daviesBouldin)}.`,
    next ? `one more cluster costs: at k=${next.k} the silhouette is ${f3(next.silhouette)}, Davies-Bouldin ${f2(next.daviesBouldin)}${Number.isFinite(next.stability) ? `, stability ${f2(next.stability)}` : ''}.` : `k=${pick.k} is the largest k analysed.`,
    bySilhouette.k === pick.k
      ? `k=${pick.k} also has the best stable silhouette (${f3(sil.silhouette)}).`
      : bySilhouette.k < pick.k
        ? `k=${bySilhouette.k} separates best (silhouette ${f3(sil.silhouette)}) but is a coarser split; the elbow keeps the finest partition that is still stable and well separated.`
        : `k=${bySilhouette.k} separates best (silhouette ${f3(sil.silhouette)}), a finer split past the elbow, where more clusters reduce the inertia less.`,
  ];
  const direction = (to: number, from: number) => (to < from ? 'lower' : to > from ? 'raise' : 'keep');
  const silhouetteAlone = bySilhouette.k === pick.k
    ? ' The best silhouette alone picks the same k.'
    : ` The best silhouette alone would pick k=${bySilhouette.k} (${f3(sil.silhouette)}), a ${bySilhouette.k < pick.k ? 'coarser' : 'finer'} split.`;
  return {
    k: pick.k,
    method: 'elbow of the inertia curve, checked for stability and separation',
    reasons,
    justification: `k=${pick.k}: the elbow of the inertia curve${stepped ? ` (stepped down from k=${knee.k})` : ''}, ${measured ? `stable (bootstrap ARI ${f2(pick.stability)})` : 'stability not measured,'} and well separated (silhouette ${f3(pick.silhouette)}, Davies-Bouldin ${f2(pick.daviesBouldin)})` +
      (next ? `; one more cluster would ${direction(next.silhouette, pick.silhouette)} the silhouette to ${f3(next.silhouette)} and ${direction(next.daviesBouldin, pick.daviesBouldin)} Davies-Bouldin to ${f2(next.daviesBouldin)}` : '') +
      `.${silhouetteAlone}`,
    stableKs: bySilhouette.stableKs,
    nearTies: bySilhouette.nearTies,
  };
}
