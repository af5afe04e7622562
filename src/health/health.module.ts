import { Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { RegistryMetrics } from '../common/metrics';

@Global()
@Module({
  controllers: [HealthController],
  providers: [RegistryMetrics],
  exports: [RegistryMetrics],
})
export class HealthModule {}
