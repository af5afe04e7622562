import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles } from '../common/decorators';
import { DomainError, ErrorCode } from '../common/errors';
import type { Principal } from '../common/roles';
import { ArchivesView, ConsistencyProofQuery, EntriesQuery, InclusionProofQuery, IntegrityReportView, PublicKeyReportView } from './ledger.dto';
import { LedgerArchiver } from './ledger.archiver';
import { IntegrityView, LedgerIntegrity } from './ledger.integrity';
import { LedgerProofs } from './ledger.proofs';
import { LedgerService, PublicKeyView } from './ledger.service';
import { LedgerWitnesses } from './ledger.witnesses';

const READERS = ['SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER', 'ORG_SYSTEM'] as const;

@ApiTags('ledger')
@Controller('ledger')
export class LedgerController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly proofs: LedgerProofs,
    private readonly integrity: LedgerIntegrity,
    private readonly witnesses: LedgerWitnesses,
    private readonly archiver: LedgerArchiver,
  ) {}

  /** The latest C2SP tlog-checkpoint in a C2SP signed note (README "Checkpoint format"). */
  @Get('checkpoint')
  @Public()
  @ApiProduces('text/plain')
  @Header('content-type', 'text/plain; charset=utf-8')
  @Header('cache-control', 'no-cache')
  async checkpoint(): Promise<string> {
    if (this.witnesses.enabled) {
      // With LEDGER_WITNESSES: the latest checkpoint LEDGER_WITNESS_QUORUM witnesses cosigned, their lines after the log's.
      const cosigned = await this.witnesses.cosignedCheckpoint();
      if (!cosigned) {
        throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'Service unavailable', {
          detail: `no checkpoint has been cosigned by ${this.witnesses.quorum} witness${this.witnesses.quorum === 1 ? '' : 'es'} yet`,
        });
      }
      return cosigned;
    }
    const latest = await this.ledger.latestCheckpoint();
    if (!latest) {
      throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'Service unavailable', { detail: 'no checkpoint has been signed yet' });
    }
    return latest.note;
  }

  /**
   * The log's key, and the witnesses' keys with the quorum a served checkpoint carries, for verifiers that
   * pin them on first use (docs/architecture.md#trust-model, part 5); keys obtained out of band are better.
   */
  @Get('public-key')
  @Public()
  @ApiOkResponse({ type: PublicKeyReportView })
  publicKey(): PublicKeyView & { witnesses: string[]; witnessQuorum: number } {
    return { ...this.ledger.publicKey(), witnesses: this.witnesses.verifierKeys(), witnessQuorum: this.witnesses.enabled ? this.witnesses.quorum : 0 };
  }

  /** Regulators and administrators read every leaf; parties only the leaves of their own contracts. */
  @Get('entries')
  @ApiBearerAuth()
  @Roles(...READERS)
  entries(@CurrentPrincipal() principal: Principal, @Query() query: EntriesQuery) {
    return this.proofs.entries(principal, query.start, query.end);
  }

  @Get('proofs/inclusion')
  @ApiBearerAuth()
  @Roles(...READERS)
  inclusion(@CurrentPrincipal() principal: Principal, @Query() query: InclusionProofQuery) {
    return this.proofs.inclusionProof(principal, query.leafIndex, query.treeSize);
  }

  /** Consistency proofs carry only subtree hashes, no leaf content, so every reader of the log may ask. */
  @Get('proofs/consistency')
  @ApiBearerAuth()
  @Roles(...READERS)
  consistency(@CurrentPrincipal() principal: Principal, @Query() query: ConsistencyProofQuery) {
    return this.proofs.consistencyProof(query.first, query.second, principal);
  }

  /**
   * The log's self-audit and signer (docs/architecture.md#trust-model, parts 1 and 2): ok, or what failed and
   * where (checkpoint signing has then stopped; records are still logged), and how far the audit has got.
   */
  @Get('integrity')
  @ApiBearerAuth()
  @ApiOkResponse({ type: IntegrityReportView })
  @Roles('REGULATOR', 'SYSTEM_ADMIN')
  integrityReport(): Promise<IntegrityView> {
    return this.integrity.view();
  }

  /**
   * Monthly partitions archived and detached by retention (docs/rules.md#r18, docs/scaling.md#retention): where
   * each archive is, its SHA-256, its leaves and the checkpoint it proves them against.
   */
  @Get('archives')
  @ApiBearerAuth()
  @ApiOkResponse({ type: ArchivesView })
  @Roles('REGULATOR', 'SYSTEM_ADMIN')
  archives(@CurrentPrincipal() principal: Principal): Promise<ArchivesView> {
    return this.archiver.list(principal);
  }
}
