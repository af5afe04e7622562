import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './auth/auth.module';
import { ContractsModule } from './contracts/contracts.module';
import { CalendarModule } from './calendar/calendar.module';
import { RegistryConfig } from './config/config';
import { RegistryConfigModule } from './config/config.module';
import { ConsoleModule } from './console/console.module';
import { CacheInvalidationModule } from './database/cache-invalidation';
import { dataSourceOptions } from './database/data-source';
import { HealthModule } from './health/health.module';
import { OrganisationsModule } from './organisations/organisations.module';
import { ReferenceModule } from './reference/reference.module';
import { RolloutModule } from './rollout/rollout.module';
import { RulesModule } from './rules/rules.module';
import { TransfersModule } from './transfers/transfers.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: RegistryConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RegistryConfigModule.forRoot(config),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(databaseUrl, { poolSize: config.databasePoolSize, appRole: config.databaseAppRole }),
          // Keep trying in the background rather than failing the whole boot on a blip.
          retryAttempts: 10,
          retryDelay: 1000,
        }),
        CacheInvalidationModule,
        HealthModule,
        OrganisationsModule,
        AuthModule,
        ContractsModule,
        TransfersModule,
        ConsoleModule,
        CalendarModule,
        RolloutModule,
        ReferenceModule,
        RulesModule,
        WebhooksModule,
      ],
    };
  }
}
