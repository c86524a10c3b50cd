// Swagger UI over the LRS's own OpenAPI document (a file, not inline: the console's
// Content-Security-Policy allows scripts from 'self' only).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: document.getElementById("swagger-ui").dataset.spec,
    dom_id: "#swagger-ui",
    deepLinking: true,
  });
});
