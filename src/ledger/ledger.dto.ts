import { ApiProperty } from '@nestjs/swagger';
import { QueryInteger } from '../common/query-integer';

const MAX_INDEX = Number.MAX_SAFE_INTEGER;

export class EntriesQuery {
  @ApiProperty({ description: 'First leaf index (inclusive)' })
  @QueryInteger(0, MAX_INDEX)
  start: number;

  @ApiProperty({ description: 'Last leaf index (exclusive); at most start + 1000' })
  @QueryInteger(1, MAX_INDEX)
  end: number;
}

export class InclusionProofQuery {
  @ApiProperty()
  @QueryInteger(0, MAX_INDEX)
  leafIndex: number;

  @ApiProperty()
  @QueryInteger(1, MAX_INDEX)
  treeSize: number;
}

export class ConsistencyProofQuery {
  @ApiProperty()
  @QueryInteger(0, MAX_INDEX)
  first: number;

  @ApiProperty()
  @QueryInteger(0, MAX_INDEX)
  second: number;
}
