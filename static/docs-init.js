// Swagger UI over this server's own document; every asset is served by the server (no CDN).
window.ui = SwaggerUIBundle({
  url: new URL("openapi.json", window.location.href).href,
  dom_id: "#swagger-ui",
  deepLinking: true,
  tryItOutEnabled: true,
});
