import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../common/errors';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { cursorScope, decodeCursor, encodeCursor, isInstantAndUuid, Page } from '../common/pagination';
import { namedParameters, ResourceScope } from '../access/access';
import { AccessService } from '../access/access.service';
import { Principal } from '../common/roles';
import { maskPersonalIdentifier, personalIdentifierDigest } from './identifiers';
import { Geography, readGeography, SEEDED_GEOGRAPHY } from './geography';
import type { IdentifierType, Jurisdiction } from './gba';
import { isPersonalIdentifierType, validateParty } from './party-rules';
import { CreateOrganisationDto, ListOrganisationsQuery, OrganisationView } from './organisation.dto';
import { Organisation } from './organisation.entity';

const UNIQUE_VIOLATION = '23505';

/** A party's registered names (`registeredNames`). */
export interface PartyNames {
  id: string;
  legalName: string | null;
  legalNameZh: string | null;
}

export function toOrganisationView(o: Organisation): OrganisationView {
  return {
    id: o.id,
    partyType: o.partyType,
    legalName: o.legalName,
    legalNameZh: o.legalNameZh,
    jurisdiction: o.jurisdiction,
    city: o.city,
    identifierType: o.identifierType,
    identifier: o.identifier,
    sector: o.sector,
    address: o.address,
    contactPerson: o.contactPerson,
    telephone: o.telephone,
    email: o.email,
    verificationStatus: o.verificationStatus,
    verifiedAt: o.verifiedAt ? o.verifiedAt.toISOString() : null,
    createdAt: o.createdAt.toISOString(),
  };
}

/** What the access policy reads of an organisation (docs/architecture.md#access): itself and its side. */
export function organisationScope(organisation: Pick<Organisation, 'id' | 'jurisdiction'>): ResourceScope {
  return { parties: [organisation.id], sides: [organisation.jurisdiction] };
}

/** Where the organisations table keeps what the access policy reads (`organisationScope`). */
const ORGANISATION_SCOPE_COLUMNS = { parties: ['o.id'], sides: ['o.jurisdiction'] };

@Injectable()
export class OrganisationsService {
  /** The jurisdictions, cities and identifier schemes as last read (at start, and by `refreshGeography`). */
  private geographyData: Geography = SEEDED_GEOGRAPHY;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refreshGeography();
  }

  /** R1, R2, R17: the sides, their cities and identifier schemes (data, docs/rules.md#r16); synchronous, for the pure rules. */
  geography(): Geography {
    return this.geographyData;
  }

  /** Reads the jurisdictions, cities and identifier schemes again. */
  async refreshGeography(manager?: EntityManager): Promise<Geography> {
    this.geographyData = await readGeography(manager ?? this.dataSource.manager);
    return this.geographyData;
  }

  async create(principal: Principal, dto: CreateOrganisationDto): Promise<OrganisationView> {
    const party = validateParty(dto, this.geographyData);
    if (!this.access.may(principal, 'organisation.register', { sides: [dto.jurisdiction] })) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Forbidden', {
        detail: 'regulators register parties of their own side only; the PCPD is read-only',
      });
    }
    // R17: of an individual's document only a keyed digest (to recognise the person again) and a masked form are kept.
    const personal = party.partyType === 'INDIVIDUAL' && isPersonalIdentifierType(dto.identifierType) ? dto.identifierType : null;
    const identifier = personal ? maskPersonalIdentifier(personal, party.identifier) : party.identifier;
    const identifierDigest = personal ? personalIdentifierDigest(this.config.partyIdentifierKey, personal, party.identifier) : null;
    const repo = this.dataSource.getRepository(Organisation);
    try {
      const saved = await repo.save(
        repo.create({
          partyType: party.partyType,
          legalName: dto.legalName ?? null,
          legalNameZh: dto.legalNameZh ?? null,
          // Checked against the data by validateParty: a seeded code or one added as data (the union names the seeded ones).
          jurisdiction: dto.jurisdiction as Jurisdiction,
          city: dto.city,
          identifierType: dto.identifierType as IdentifierType,
          identifier,
          identifierDigest,
          sector: party.sector,
          address: dto.address ?? null,
          contactPerson: dto.contactPerson ?? null,
          telephone: dto.telephone ?? null,
          email: dto.email ?? null,
          createdBy: principal.kind === 'user' ? principal.id : null,
        }),
      );
      return toOrganisationView(saved);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION || (error as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION) {
        throw new DomainError(ErrorCode.DUPLICATE_IDENTIFIER, personal ? 'Individual already registered' : 'Organisation already registered', {
          detail: personal
            ? `an individual with this ${dto.identifierType} is already registered`
            : `an organisation with ${dto.identifierType} ${identifier} is already registered`,
          errors: [{ field: 'identifier', rule: 'unique', message: 'identifier is already registered' }],
        });
      }
      throw error;
    }
  }

  async list(principal: Principal, query: ListOrganisationsQuery): Promise<Page<OrganisationView>> {
    const limit = query.limit ?? 50;
    const scope = cursorScope('organisations', query);
    const after = decodeCursor(query.cursor, 2, isInstantAndUuid, scope) as [string, string] | null;
    const qb = this.dataSource.getRepository(Organisation).createQueryBuilder('o');
    const bind = namedParameters((name, value) => qb.setParameter(name, value));
    qb.andWhere(this.access.sqlWhere(principal, 'organisation.read', ORGANISATION_SCOPE_COLUMNS, bind));
    if (query.jurisdiction) qb.andWhere('o.jurisdiction = :j', { j: query.jurisdiction });
    if (query.sector) qb.andWhere('o.sector = :s', { s: query.sector });
    // R17: an individual's number is not kept, and its masked form is not a search key: individuals are found by name.
    if (query.identifier) qb.andWhere(`o.identifier = :i AND o.party_type = 'ORGANISATION'`, { i: query.identifier.trim().toUpperCase() });
    const q = query.q?.trim();
    if (q) {
      // Three characters or more: contains-match on either name (pg_trgm GIN indexes); fewer yield no trigram, so
      // a name's start is matched instead (btree text_pattern_ops). Identifiers always match by prefix.
      const like = q.replace(/[\\%_]/g, (c) => `\\${c}`);
      const name = [...q].length >= 3 ? `%${like}%` : `${like}%`;
      qb.andWhere(`(lower(o.legal_name) LIKE lower(:qName) OR o.legal_name_zh LIKE :qName OR (o.identifier LIKE :qId AND o.party_type = 'ORGANISATION'))`, {
        qName: name,
        qId: `${like.toUpperCase()}%`,
      });
    }
    // The cursor carries created_at as a JavaScript Date (milliseconds) while PostgreSQL keeps
    // microseconds: compare and order on the millisecond value, or the last row of a page is
    // "after" its own cursor and comes back on the next page, forever.
    const createdAtMs = "date_trunc('milliseconds', o.created_at)";
    if (after) qb.andWhere(`(${createdAtMs}, o.id) > (:at::timestamptz, :id::uuid)`, { at: after[0], id: after[1] });
    const rows = await qb
      .orderBy(createdAtMs, 'ASC')
      .addOrderBy('o.id', 'ASC')
      .take(limit + 1)
      .getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toOrganisationView),
      nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt.toISOString(), last.id], scope) : null,
    };
  }

  /** The organisation if this caller may see it, else 404. */
  async getVisible(principal: Principal, id: string): Promise<Organisation> {
    const organisation = await this.dataSource.getRepository(Organisation).findOneBy({ id });
    return this.access.require(principal, 'organisation.read', organisation, organisationScope, 'Organisation');
  }

  async getView(principal: Principal, id: string): Promise<OrganisationView> {
    return toOrganisationView(await this.getVisible(principal, id));
  }

  /** Internal lookup for other modules (no access check). */
  async findById(id: string, manager?: EntityManager): Promise<Organisation | null> {
    return (manager ?? this.dataSource.manager).getRepository(Organisation).findOneBy({ id });
  }

  async findByIds(ids: string[], manager?: EntityManager): Promise<Organisation[]> {
    if (!ids.length) return [];
    return (manager ?? this.dataSource.manager).getRepository(Organisation).createQueryBuilder('o').where('o.id IN (:...ids)', { ids }).getMany();
  }

  /**
   * Internal lookup for other modules (no access check): every party's registered names, by id. The CSV export
   * of the transfer log shows them beside the party ids of the records the caller may read.
   */
  async registeredNames(): Promise<PartyNames[]> {
    return this.dataSource.query(`SELECT id::text AS id, legal_name AS "legalName", legal_name_zh AS "legalNameZh" FROM organisations ORDER BY id`);
  }

  async verify(principal: Principal, id: string): Promise<OrganisationView> {
    const organisation = await this.getVisible(principal, id);
    if (!this.access.may(principal, 'organisation.verify', organisationScope(organisation))) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Forbidden', { detail: 'the PCPD reads the register only' });
    }
    if (organisation.verificationStatus !== 'VERIFIED') {
      organisation.verificationStatus = 'VERIFIED';
      organisation.verifiedAt = new Date();
      organisation.verifiedBy = principal.id;
      await this.dataSource.getRepository(Organisation).save(organisation);
    }
    return toOrganisationView(organisation);
  }
}
