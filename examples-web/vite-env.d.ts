// Lets TypeScript accept the stylesheet import in src/main.ts (Vite bundles it).
declare module "*.css";
