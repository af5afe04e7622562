import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErrorCode, FieldError, validationFailed } from '../common/errors';
import { cursorScope, decodeCursor, encodeCursor, isInstantAndUuid, Page } from '../common/pagination';
import { namedParameters, ResourceScope } from '../access/access';
import { AccessService } from '../access/access.service';
import { Principal } from '../common/roles';
import { IdentifierType, jurisdictionOfCity, SIDES } from './gba';
import { IdentifierValidation, MO_CRN_MAX_DIGITS, MO_CRN_MIN_DIGITS, validateHkBrn, validateMoCrn, validateUscc } from './identifiers';
import { CreateOrganisationDto, ListOrganisationsQuery, OrganisationView } from './organisation.dto';
import { Organisation } from './organisation.entity';

const UNIQUE_VIOLATION = '23505';

export function toOrganisationView(o: Organisation): OrganisationView {
  return {
    id: o.id,
    legalName: o.legalName,
    legalNameZh: o.legalNameZh,
    jurisdiction: o.jurisdiction,
    city: o.city,
    identifierType: o.identifierType,
    identifier: o.identifier,
    sector: o.sector,
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
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
  ) {}

  /** R1 and R17: a GBA city on the declared side, and an identifier that passes its checks. */
  static validate(dto: CreateOrganisationDto): { identifier: string } {
    const errors: FieldError[] = [];
    const side = jurisdictionOfCity(dto.city);
    if (side === null) {
      throw new DomainError(ErrorCode.PARTY_OUTSIDE_GBA, 'The organisation is outside the Greater Bay Area', {
        rule: 'R1',
        detail: `city ${dto.city} is not one of the nine Mainland GBA cities, Hong Kong or Macao`,
        errors: [{ field: 'city', rule: 'R1', message: 'city must be one of the nine Mainland GBA cities, HONG_KONG or MACAO' }],
      });
    }
    if (side !== dto.jurisdiction) {
      errors.push({ field: 'city', rule: 'R1', message: `city ${dto.city} is not in jurisdiction ${dto.jurisdiction}` });
    }
    const expectedType = SIDES[dto.jurisdiction].identifierType;
    if (dto.identifierType !== expectedType) {
      errors.push({
        field: 'identifierType',
        rule: 'R17',
        message: `${dto.jurisdiction} organisations are identified by ${expectedType}`,
      });
    }
    if (!dto.legalName && !dto.legalNameZh) {
      errors.push({ field: 'legalName', rule: 'required', message: 'legalName or legalNameZh is required' });
    }
    let identifier = dto.identifier;
    const check = IDENTIFIER_VALIDATORS[dto.identifierType](dto.identifier);
    if (check.ok) identifier = check.normalised;
    else {
      errors.push({
        field: 'identifier',
        rule: `${dto.identifierType}_${check.rule}`,
        message: describeIdentifierRule(dto.identifierType, check.rule),
      });
    }
    if (errors.length) throw validationFailed(errors);
    return { identifier };
  }

  async create(principal: Principal, dto: CreateOrganisationDto): Promise<OrganisationView> {
    const { identifier } = OrganisationsService.validate(dto);
    if (!this.access.may(principal, 'organisation.register', { sides: [dto.jurisdiction] })) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Forbidden', {
        detail: 'regulators register organisations of their own side only; the PCPD is read-only',
      });
    }
    const repo = this.dataSource.getRepository(Organisation);
    try {
      const saved = await repo.save(
        repo.create({
          legalName: dto.legalName ?? null,
          legalNameZh: dto.legalNameZh ?? null,
          jurisdiction: dto.jurisdiction,
          city: dto.city,
          identifierType: dto.identifierType,
          identifier,
          sector: dto.sector,
          createdBy: principal.kind === 'user' ? principal.id : null,
        }),
      );
      return toOrganisationView(saved);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION || (error as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION) {
        throw new DomainError(ErrorCode.DUPLICATE_IDENTIFIER, 'Organisation already registered', {
          detail: `an organisation with ${dto.identifierType} ${identifier} is already registered`,
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
    if (query.identifier) qb.andWhere('o.identifier = :i', { i: query.identifier.trim().toUpperCase() });
    const q = query.q?.trim();
    if (q) {
      // Three characters or more: contains-match on either name (pg_trgm GIN indexes); fewer yield no trigram, so
      // a name's start is matched instead (btree text_pattern_ops). Identifiers always match by prefix.
      const like = q.replace(/[\\%_]/g, (c) => `\\${c}`);
      const name = [...q].length >= 3 ? `%${like}%` : `${like}%`;
      qb.andWhere('(lower(o.legal_name) LIKE lower(:qName) OR o.legal_name_zh LIKE :qName OR o.identifier LIKE :qId)', {
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

const IDENTIFIER_VALIDATORS: Record<IdentifierType, (code: string) => IdentifierValidation> = {
  USCC: validateUscc,
  HK_BRN: validateHkBrn,
  MO_CRN: validateMoCrn,
};

function describeIdentifierRule(type: IdentifierType, rule: string): string {
  if (type === 'HK_BRN') return 'identifier must be a Hong Kong Business Registration Number of exactly 8 digits';
  if (type === 'MO_CRN') return `identifier must be a Macao commercial registration number: ${MO_CRN_MIN_DIGITS} to ${MO_CRN_MAX_DIGITS} digits as issued`;
  switch (rule) {
    case 'LENGTH':
      return 'identifier must be an 18-character Unified Social Credit Code (GB 32100-2015)';
    case 'ILLEGAL_CHARACTER':
      return 'identifier may only use 0-9 and A-H, J-N, P-R, T, U, W-Y (no I, O, S, V, Z) (GB 32100-2015)';
    case 'CHECK_CHARACTER':
      return 'identifier has a wrong check character (18th character, GB 32100-2015)';
    case 'ORGANISATION_CODE_CHECK':
      return 'identifier has a wrong organisation-code check character (17th character, GB 11714-1997)';
    default:
      return `identifier is not a valid Unified Social Credit Code (${rule})`;
  }
}
