import { DynamicModule, Global, Module } from '@nestjs/common';
import { REGISTRY_CONFIG, RegistryConfig } from './config';

@Global()
@Module({})
export class RegistryConfigModule {
  static forRoot(config: RegistryConfig): DynamicModule {
    return {
      module: RegistryConfigModule,
      providers: [{ provide: REGISTRY_CONFIG, useValue: config }],
      exports: [REGISTRY_CONFIG],
    };
  }
}
