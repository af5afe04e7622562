import { applyDecorators } from '@nestjs/common';
import { ApiDefaultResponse, ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

export class FieldErrorView {
  @ApiProperty({ example: 'identifier', description: 'dotted path into the request, e.g. records[3].direction' }) field: string;
  @ApiProperty({ example: 'USCC_CHECK_CHARACTER' }) rule: string;
  @ApiProperty() message: string;
}

/** RFC 9457 problem document, as every error is sent (`application/problem+json`). */
export class ProblemView {
  @ApiProperty({ format: 'uri', example: 'https://gba-registry.example/problems/validation-failed' }) type: string;
  @ApiProperty({ example: 'The request is not valid' }) title: string;
  @ApiProperty({ example: 400 }) status: number;
  @ApiPropertyOptional() detail?: string;
  @ApiPropertyOptional({ example: '/organisations' }) instance?: string;
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'upper snake case error code' }) code: string;
  @ApiPropertyOptional({ type: [FieldErrorView] }) errors?: FieldErrorView[];
  @ApiPropertyOptional({ example: 'R1', description: 'the legal rule (docs/rules.md) a 422 refers to' }) rule?: string;
  @ApiPropertyOptional({ description: 'also sent as the X-Request-Id header' }) requestId?: string;
}

/** Documents the problem+json error body of every response not otherwise described. */
export const ApiProblemResponses = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    ApiExtraModels(ProblemView, FieldErrorView),
    ApiDefaultResponse({
      description: 'Error (RFC 9457 problem document)',
      content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemView) } } },
    }),
  );
