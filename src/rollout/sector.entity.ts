import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The registry's sector taxonomy (docs/api.md#code-lists `sector`), seeded from organisations/gba.ts. */
@Entity({ name: 'rollout_sectors' })
export class RolloutSector {
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Column({ name: 'name_en', type: 'text' })
  nameEn: string;

  @Column({ name: 'name_zh_hant', type: 'text' })
  nameZhHant: string;

  @Column({ name: 'name_zh_hans', type: 'text' })
  nameZhHans: string;

  @Column({ name: 'sort_order', type: 'integer' })
  sortOrder: number;
}
