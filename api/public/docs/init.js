// The browsable API reference: Swagger UI (served from npm, no CDN) over /openapi.json.
window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true });
