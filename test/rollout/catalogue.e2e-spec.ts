import { RolloutService } from '../../src/rollout/rollout.service';
import { bearer, createOrganisation, startTestApp, TestApp } from '../support/app';

describe('regimes, sectors and phases as data (R15, R16)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('serves the seeded regime, sectors and phases to anyone', async () => {
    const regimes = await t.http.get('/rollout/regimes');
    expect(regimes.status).toBe(200);
    expect(regimes.body).toEqual([
      expect.objectContaining({ code: 'GBA_MAINLAND_HK', opensOn: '2023-12-13', sides: ['MAINLAND', 'HONG_KONG'] }),
      expect.objectContaining({ code: 'GBA_MAINLAND_MACAO', opensOn: '2024-09-10', sides: ['MAINLAND', 'MACAO'] }),
    ]);

    const phases = await t.http.get('/rollout/phases');
    expect(phases.status).toBe(200);
    expect(
      phases.body.map(({ regime, number, opensOn, allSectors, sectors }: Record<string, unknown>) => ({ regime, number, opensOn, allSectors, sectors })),
    ).toEqual([
      {
        regime: 'GBA_MAINLAND_HK',
        number: 1,
        opensOn: '2023-12-13',
        allSectors: false,
        sectors: expect.arrayContaining(['BANKING', 'CREDIT_REFERENCING', 'HEALTHCARE']),
      },
      { regime: 'GBA_MAINLAND_HK', number: 2, opensOn: '2024-11-01', allSectors: true, sectors: [] },
      { regime: 'GBA_MAINLAND_MACAO', number: 1, opensOn: '2024-09-10', allSectors: true, sectors: [] },
    ]);
    expect(phases.body[0].sectors).toHaveLength(3);

    const sectors = await t.http.get('/rollout/sectors');
    expect(sectors.status).toBe(200);
    expect(sectors.body).toHaveLength(11);
    expect(sectors.body[0]).toEqual({
      code: 'BANKING',
      labels: { en: 'Banking', 'zh-Hant': '銀行', 'zh-Hans': '银行' },
      opensOn: { GBA_MAINLAND_HK: '2023-12-13', GBA_MAINLAND_MACAO: '2024-09-10' },
    });
    expect(sectors.body.find((s: { code: string }) => s.code === 'RETAIL').opensOn).toEqual({
      GBA_MAINLAND_HK: '2024-11-01',
      GBA_MAINLAND_MACAO: '2024-09-10',
    });
  });

  it('only system administrators write regimes and phases', async () => {
    const orgId = await createOrganisation(t);
    const orgAdmin = await t.user('ORG_ADMIN', { organisationId: orgId });
    const orgFiler = await t.user('ORG_FILER', { organisationId: orgId });
    const regulator = await t.user('REGULATOR', { authority: 'GD_CAC' });
    const regime = { code: 'SOMETHING_NEW', name: 'x', sides: ['MAINLAND', 'HONG_KONG'], opensOn: '2025-01-01' };
    const phase = { regime: 'GBA_MAINLAND_HK', opensOn: '2026-01-01', sectors: ['RETAIL'] };
    expect((await t.http.post('/rollout/regimes').send(regime)).status).toBe(401);
    expect((await t.http.post('/rollout/phases').send(phase)).status).toBe(401);
    for (const token of [orgAdmin.token, orgFiler.token, regulator.token]) {
      const r = await t.http
        .post('/rollout/regimes')
        .set(...bearer(token))
        .send(regime);
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN');
      expect(
        (
          await t.http
            .post('/rollout/phases')
            .set(...bearer(token))
            .send(phase)
        ).status,
      ).toBe(403);
    }
    expect(await t.dataSource.query(`SELECT code FROM rollout_regimes ORDER BY code`)).toEqual([{ code: 'GBA_MAINLAND_HK' }, { code: 'GBA_MAINLAND_MACAO' }]);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM rollout_phases`))[0].n).toBe(3);
  });

  it('adds a made-up regime between existing sides and its phase as data alone, and the gate follows (R16)', async () => {
    const rollout = t.app.get(RolloutService);
    expect(await rollout.isSectorOpen('GBA_MAINLAND_MACAO_PILOT', 'BANKING', '2024-09-10')).toBe(false);

    const regime = await t.http
      .post('/rollout/regimes')
      .set(...bearer(t.adminToken))
      .send({
        code: 'GBA_MAINLAND_MACAO_PILOT',
        name: 'Standard Contract for Cross-boundary Flow of Personal Information Within the GBA (Mainland, Macao)',
        nameZh: '粵港澳大灣區（內地、澳門）個人信息跨境流動標準合同',
        sides: ['MAINLAND', 'MACAO'],
        opensOn: '2024-09-10',
      });
    expect(regime.status).toBe(201);
    expect(regime.body).toMatchObject({ code: 'GBA_MAINLAND_MACAO_PILOT', sides: ['MAINLAND', 'MACAO'], opensOn: '2024-09-10' });
    // A regime without phases opens no sector.
    expect(await rollout.isSectorOpen('GBA_MAINLAND_MACAO_PILOT', 'BANKING', '2024-09-10')).toBe(false);

    const phase = await t.http
      .post('/rollout/phases')
      .set(...bearer(t.adminToken))
      .send({ regime: 'GBA_MAINLAND_MACAO_PILOT', opensOn: '2024-09-10', allSectors: true, name: 'All sectors' });
    expect(phase.status).toBe(201);
    expect(phase.body).toMatchObject({ regime: 'GBA_MAINLAND_MACAO_PILOT', number: 1, opensOn: '2024-09-10', allSectors: true, sectors: [] });

    expect(await rollout.isSectorOpen('GBA_MAINLAND_MACAO_PILOT', 'RETAIL', '2024-09-09')).toBe(false);
    expect(await rollout.isSectorOpen('GBA_MAINLAND_MACAO_PILOT', 'RETAIL', '2024-09-10')).toBe(true);
    // The Mainland–Hong Kong regime is untouched: retail still opens there on 2024-11-01.
    expect(await rollout.isSectorOpen('GBA_MAINLAND_HK', 'RETAIL', '2024-09-10')).toBe(false);

    expect((await t.http.get('/rollout/regimes')).body.map((r: { code: string }) => r.code)).toEqual([
      'GBA_MAINLAND_HK',
      'GBA_MAINLAND_MACAO',
      'GBA_MAINLAND_MACAO_PILOT',
    ]);
    expect((await t.http.get('/rollout/phases').query({ regime: 'GBA_MAINLAND_MACAO_PILOT' })).body).toHaveLength(1);
    const retail = (await t.http.get('/rollout/sectors')).body.find((s: { code: string }) => s.code === 'RETAIL');
    expect(retail.opensOn).toEqual({ GBA_MAINLAND_HK: '2024-11-01', GBA_MAINLAND_MACAO: '2024-09-10', GBA_MAINLAND_MACAO_PILOT: '2024-09-10' });

    // An organisation can register interest under the new regime with no code change.
    const orgId = await createOrganisation(t, { sector: 'HEALTHCARE' });
    const filer = await t.user('ORG_FILER', { organisationId: orgId });
    const enrolment = await t.http
      .post('/rollout/enrolments')
      .set(...bearer(filer.token))
      .send({ regime: 'GBA_MAINLAND_MACAO_PILOT' });
    expect(enrolment.status).toBe(201);
    expect(enrolment.body).toMatchObject({ regime: 'GBA_MAINLAND_MACAO_PILOT', phaseNumber: 1, status: 'INTERESTED' });
  });

  it('adds a phase that lists sectors, numbered after the last', async () => {
    const res = await t.http
      .post('/rollout/phases')
      .set(...bearer(t.adminToken))
      .send({ regime: 'GBA_MAINLAND_HK', opensOn: '2026-01-01', sectors: ['RETAIL', 'EDUCATION'], name: 'hypothetical' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ number: 3, allSectors: false, sectors: expect.arrayContaining(['RETAIL', 'EDUCATION']) });
    // A later phase never narrows what an earlier one opened.
    expect(await t.app.get(RolloutService).isSectorOpen('GBA_MAINLAND_HK', 'RETAIL', '2025-06-01')).toBe(true);
  });

  it('refuses bad regimes and phases with a problem naming the field', async () => {
    const post = (path: string, body: object) =>
      t.http
        .post(path)
        .set(...bearer(t.adminToken))
        .send(body);

    const dupRegime = await post('/rollout/regimes', { code: 'GBA_MAINLAND_HK', name: 'again', sides: ['MAINLAND', 'HONG_KONG'], opensOn: '2023-12-13' });
    expect(dupRegime.status).toBe(409);
    expect(dupRegime.body.code).toBe('DUPLICATE_REGIME');

    const badRegime = await post('/rollout/regimes', { code: 'lower', name: '', sides: ['MAINLAND'], opensOn: '2024-02-30' });
    expect(badRegime.status).toBe(400);
    expect(badRegime.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['code', 'name', 'opensOn', 'sides']);

    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ regime: 'NO_SUCH', opensOn: '2025-01-01', allSectors: true }, 'regime', 'exists'],
      [{ regime: 'GBA_MAINLAND_HK', opensOn: '2025-01-01', sectors: ['BANKING', 'MINING'] }, 'sectors[1]', 'exists'],
      [{ regime: 'GBA_MAINLAND_HK', opensOn: '2025-01-01', allSectors: true, sectors: ['BANKING'] }, 'sectors', 'allSectorsExclusive'],
      [{ regime: 'GBA_MAINLAND_HK', opensOn: '2025-01-01' }, 'sectors', 'required'],
      [{ regime: 'GBA_MAINLAND_HK', opensOn: '2023-01-01', allSectors: true }, 'opensOn', 'R16'],
      [{ regime: 'GBA_MAINLAND_HK', opensOn: '01/01/2025', allSectors: true }, 'opensOn', 'isCalendarDate'],
    ];
    for (const [body, field, rule] of cases) {
      const res = await post('/rollout/phases', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
    }

    const dupPhase = await post('/rollout/phases', { regime: 'GBA_MAINLAND_HK', number: 1, opensOn: '2025-01-01', allSectors: true });
    expect(dupPhase.status).toBe(409);
    expect(dupPhase.body.code).toBe('DUPLICATE_PHASE');
  });
});
