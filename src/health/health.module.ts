import { Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { RegistryMetrics } from '../common/metrics';
import { RequestActivity } from '../common/request-activity';

@Global()
@Module({
  controllers: [HealthController],
  providers: [RegistryMetrics, RequestActivity],
  exports: [RegistryMetrics, RequestActivity],
})
export class HealthModule {}
