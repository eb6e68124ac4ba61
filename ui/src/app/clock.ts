// Features read the time and make deliberate waits through here (see platform/clock.ts).
export { now, nowIso, todayStamp, wait } from "../platform";
