// What the page knows about reinstalls: the five installer stages, the outcome of a state, the time
// spent in the current wait against its deadline. Pure functions of the query API's JSON; no DOM, no
// fetch. Where a reinstall stands in the nine steps is the projector's to say (the state's
// `progress`): the page shows it and works none of it out.

export const STAGES = ['started', 'base OS', 'post-install done', 'restarting', 'online'];

export const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED'];

export const PHASES = [
  'VALIDATING', 'QUEUED', 'CREATING_REINSTALL_KEY', 'CREATING_PXE_CONFIG', 'AWAITING_PXE_CONFIG',
  'SETTING_BOOT_PXE', 'AWAITING_BOOT_PXE', 'REBOOTING', 'INSTALLING', 'SETTING_BOOT_DISK',
  'AWAITING_BOOT_DISK', 'LAUNCHING_JENKINS_TASK', 'AWAITING_JENKINS_TASK', 'CLEARING_PXE_CONFIG',
  'AWAITING_PXE_CLEARED', 'COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED',
];

/** Share of a wait's time after which the page warns (the API's nearDeadlinePercent). */
export const NEAR_DEADLINE = 0.8;

/** The step shown (1-9, 0 when none was reached), as the projector says. */
export function currentStep(state) {
  return state.progress?.step ?? 0;
}

/** "5/9 install started (stage 1)", "validating", "queued (#3)", "9/9 done"..., as the projector says. */
export function stepText(state) {
  return state.progress?.text ?? state.phase.toLowerCase();
}

/** The outcome column: the terminal phase, or "in progress" (with "cancelling" while a cancel is under way). */
export function outcomeOf(state) {
  if (TERMINAL.includes(state.phase)) return state.phase;
  return 'IN_PROGRESS';
}

export function outcomeText(state) {
  switch (outcomeOf(state)) {
    case 'COMPLETED': return 'completed';
    case 'FAILED': return `failed${state.failureKind ? ` (${state.failureKind.toLowerCase().replaceAll('_', ' ')})` : ''}`;
    case 'CANCELLED': return 'cancelled';
    case 'REJECTED': return 'rejected';
    default: return state.cancelRequested ? 'cancelling' : 'in progress';
  }
}

/**
 * The wait in progress: since when (the phase's start, or installing, the last stage's), its
 * deadline, the share of its time used. Null without a deadline or once finished.
 */
export function currentWait(state, now) {
  if (TERMINAL.includes(state.phase) || !state.deadlineAt) return null;
  let since = toMillis(state.phaseTimes?.[state.phase]);
  const stage = toMillis(state.stageTimes?.[String(state.installStage)]);
  if (state.phase === 'INSTALLING' && stage !== undefined && (since === undefined || stage > since)) since = stage;
  const deadline = toMillis(state.deadlineAt);
  if (since === undefined || deadline === undefined || deadline <= since) return null;
  const used = Math.max(0, now - since);
  return {
    since,
    deadline,
    kind: state.deadlineKind,
    elapsed: used,
    window: deadline - since,
    share: used / (deadline - since),
    near: used / (deadline - since) > NEAR_DEADLINE,
  };
}

/** Milliseconds since the phase was entered (time in the current step), or undefined. */
export function timeInPhase(state, now) {
  const since = toMillis(state.phaseTimes?.[state.phase]);
  return since === undefined ? undefined : Math.max(0, now - since);
}

export function toMillis(iso) {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** "45 s", "3 min 05 s", "2 h 10 min". */
export function formatDuration(ms) {
  if (ms === undefined || ms === null || Number.isNaN(ms)) return '–';
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** "14:03:27" in the viewer's time zone. */
export function formatTime(ms) {
  if (ms === undefined) return '–';
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function formatDateTime(ms) {
  if (ms === undefined) return '–';
  const d = new Date(ms);
  return `${d.toLocaleDateString([], { year: 'numeric', month: '2-digit', day: '2-digit' })} ${formatTime(ms)}`;
}

/** "INSTALLING" -> "installing", "AWAITING_PXE_CONFIG" -> "awaiting PXE config". */
export function phaseText(phase) {
  return phase.toLowerCase().replaceAll('_', ' ').replace(/\bpxe\b/g, 'PXE');
}

/** Whether a state passes the table's filters. */
export function matches(state, filters) {
  if (filters.phase === 'ACTIVE' && TERMINAL.includes(state.phase)) return false;
  if (filters.phase && filters.phase !== 'ACTIVE' && state.phase !== filters.phase) return false;
  if (filters.location && (state.location ?? '') !== filters.location) return false;
  if (filters.account && state.account !== filters.account) return false;
  if (filters.outcome && outcomeOf(state) !== filters.outcome) return false;
  if (filters.text) {
    const needle = filters.text.toLowerCase();
    const hay = `${state.serverId} ${state.hostname ?? ''} ${state.osName ?? ''}`.toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

const OUTCOME_ORDER = { IN_PROGRESS: 0, FAILED: 1, CANCELLED: 2, REJECTED: 3, COMPLETED: 4 };

/** Sort keys of the table's columns; ties go by server id. */
export const SORT_KEYS = {
  server: (s) => s.serverId,
  os: (s) => (s.osName ?? `OS ${s.osId}`).toLowerCase(),
  location: (s) => s.location ?? '',
  account: (s) => s.account ?? '',
  step: (s) => currentStep(s) * 10 + (TERMINAL.includes(s.phase) ? 0 : 1),
  stage: (s) => s.installStage ?? 0,
  deadline: (s, now) => currentWait(s, now)?.share ?? -1,
  outcome: (s) => OUTCOME_ORDER[outcomeOf(s)],
  updated: (s) => toMillis(s.updatedAt) ?? 0,
};

export function sortStates(states, column, descending, now) {
  const key = SORT_KEYS[column] ?? SORT_KEYS.server;
  const sign = descending ? -1 : 1;
  return [...states].sort((a, b) => {
    const x = key(a, now);
    const y = key(b, now);
    if (x < y) return -sign;
    if (x > y) return sign;
    return a.serverId - b.serverId;
  });
}
