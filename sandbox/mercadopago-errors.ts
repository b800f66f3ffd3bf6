/** MercadoPago's error body: `{message, error, status, cause[]}` (cause codes as its API reference lists them). */
export function mpError(status: number, message: string, error = defaultErrorCode(status), cause: { code: number; description: string }[] = []) {
  return { message, error, status, cause };
}
function defaultErrorCode(status: number) {
  return ({ 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'unprocessable_entity', 423: 'locked', 429: 'too_many_requests' } as Record<number, string>)[status] ?? 'internal_error';
}
