import { Module } from '@nestjs/common';
import { Leadership } from './leadership';
import { ReadReplicas } from './read-replicas';

/**
 * Running as several instances on one PostgreSQL, with replicas (docs/scaling.md): one instance leads the
 * background jobs (Leadership), and regulators' reads may go to streaming replicas (ReadReplicas).
 */
@Module({
  providers: [Leadership, ReadReplicas],
  exports: [Leadership, ReadReplicas],
})
export class ClusterModule {}
