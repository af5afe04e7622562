import { DeferToRequests, RequestActivity } from './request-activity';

describe('RequestActivity', () => {
  it('says a request arrived recently only within the window after it', () => {
    const activity = new RequestActivity();
    expect(activity.recent(50, 1_000)).toBe(false);
    activity.started(1_000);
    expect(activity.recent(50, 1_049)).toBe(true);
    expect(activity.recent(50, 1_050)).toBe(false);
  });

  it('counts a chunk of a long answer as activity, as a request arriving', () => {
    const activity = new RequestActivity();
    activity.started(1_000);
    activity.streaming(5_000);
    expect(activity.recent(50, 5_049)).toBe(true);
    expect(activity.recent(50, 5_050)).toBe(false);
  });
});

describe('DeferToRequests', () => {
  it('runs every round while no request arrives', () => {
    const deferral = new DeferToRequests(new RequestActivity(), 50, 9);
    expect(Array.from({ length: 5 }, () => deferral.shouldRun())).toEqual([true, true, true, true, true]);
  });

  it('skips rounds while requests keep arriving, but runs every tenth so the work still progresses', () => {
    const activity = new RequestActivity();
    const deferral = new DeferToRequests(activity, 50, 9);
    const rounds: boolean[] = [];
    for (let i = 0; i < 30; i++) {
      activity.started();
      rounds.push(deferral.shouldRun());
    }
    expect(rounds.map((run, i) => (run ? i : -1)).filter((i) => i >= 0)).toEqual([9, 19, 29]);
  });

  it('runs as soon as the requests pause, and starts counting again from there', () => {
    let now = 0;
    const activity = new RequestActivity();
    const deferral = new DeferToRequests({ recent: (ms: number) => activity.recent(ms, now) } as RequestActivity, 50, 9);
    activity.started(0);
    now = 10;
    expect(deferral.shouldRun()).toBe(false);
    now = 100;
    expect(deferral.shouldRun()).toBe(true);
    activity.started(100);
    expect(Array.from({ length: 9 }, () => deferral.shouldRun()).every((run) => !run)).toBe(true);
    expect(deferral.shouldRun()).toBe(true);
  });
});
