import { EntityManager } from 'typeorm';
import { recordEnrolmentChange } from './enrolment-history';
import { nextEnrolmentState } from './enrolment-lifecycle';
import { RolloutEnrolment } from './enrolment.entity';

/**
 * R11: inside the accepting transaction, moves the organisation's ENROLLED enrolments under `regime`
 * to ACTIVE and records each change, by the system on behalf of `actorId`. A no-op when there are none.
 */
export async function activateEnrolments(manager: EntityManager, organisationId: string, regime: string, actorId: string): Promise<void> {
  const enrolments = await manager
    .getRepository(RolloutEnrolment)
    .createQueryBuilder('e')
    .setLock('pessimistic_write')
    .where('e.organisation_id = :organisationId', { organisationId })
    .andWhere('e.regime_code = :regime', { regime })
    .andWhere(`e.status = 'ENROLLED'`)
    .getMany();
  for (const enrolment of enrolments) {
    await recordEnrolmentChange(manager, enrolment, {
      action: 'ACTIVATE',
      from: enrolment.status,
      to: nextEnrolmentState(enrolment.status, 'ACTIVATE'),
      reason: 'a filing under this regime was accepted',
      actorId,
      actorRole: 'SYSTEM',
    });
  }
}
