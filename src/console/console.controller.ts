import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Public } from '../common/decorators';
import { DomainError, ErrorCode } from '../common/errors';
import { ASSET_NAME, CONSOLE_CONTENT_TYPES, resolveChartJs, resolvePublicDir } from './console-assets';

/**
 * The console, a static single-page app: the regulators' view, or an organisation's for its users. The page and its assets are
 * public; every API call it makes carries the signed-in user's bearer token.
 */
@ApiExcludeController()
@Public()
@Controller('console')
export class ConsoleController {
  private readonly publicDir = resolvePublicDir();
  private readonly chartJs = resolveChartJs();

  @Get()
  index(@Res() reply: FastifyReply): Promise<void> {
    return this.send(reply, path.join(this.publicDir, 'index.html'), 'no-cache');
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() reply: FastifyReply): Promise<void> {
    if (!ASSET_NAME.test(name)) throw notFound(name);
    return this.send(reply, path.join(this.publicDir, name), 'no-cache');
  }

  @Get('vendor/chart.umd.js')
  chart(@Res() reply: FastifyReply): Promise<void> {
    return this.send(reply, this.chartJs, 'public, max-age=86400');
  }

  private async send(reply: FastifyReply, file: string, cacheControl: string): Promise<void> {
    let body: Buffer;
    try {
      body = await fs.readFile(file);
    } catch {
      throw notFound(path.basename(file));
    }
    void reply
      .header('content-type', CONSOLE_CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream')
      .header('cache-control', cacheControl)
      .header('x-content-type-options', 'nosniff')
      .send(body);
  }
}

function notFound(name: string): DomainError {
  return new DomainError(ErrorCode.NOT_FOUND, 'Not found', { detail: `no console asset ${name}` });
}
