import { QueryFailedError } from 'typeorm';
import { loggableError, toProblem } from './problem.filter';

describe('loggableError', () => {
  it('never carries a failed query’s bound parameters or the raw database message', () => {
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint "uq_users_email" Key (email)=(alice@bank.example)'), {
      code: '23505',
      routine: '_bt_check_unique',
    });
    const error = new QueryFailedError(
      'INSERT INTO users (email, password_hash) VALUES ($1, $2)',
      ['alice@bank.example', '$argon2id$secret-hash'],
      driverError,
    );
    const logged = JSON.stringify(loggableError(error));
    expect(logged).not.toContain('alice@bank.example');
    expect(logged).not.toContain('argon2id');
    expect(logged).toContain('23505');
    expect(logged).toContain('INSERT INTO users');
  });

  it('and the client sees neither: a 500 problem with no database text', () => {
    const error = new QueryFailedError('SELECT 1', [], Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }));
    const problem = toProblem(error, '/x', 'req-1');
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toMatch(/relation|SELECT/);
  });
});
