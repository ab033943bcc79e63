import {
  AddStockInput,
  addProductStock,
  archiveProduct,
  CreateProductInput,
  createProduct,
  decodeInput,
  getProduct,
  listProductsPage,
  MAX_STOCK_UNITS,
  ProductId,
  ProductName,
  UpdateProductInput,
  updateProduct,
} from "@settle/domain"
import { Effect, Schema } from "effect"
import { inputRefused } from "../contract/commonErrors.js"
import { defineRoute } from "../contract/route.js"
import { PageQuery, pageAnswer } from "../pagination.js"
import { respond } from "../respond.js"
import { nonBlankText, safeCount } from "../schemas/common.js"
import { ProductAnswer, ProductPage } from "../schemas/products.js"
import { productView } from "../views.js"
import { actorOf } from "./adminGuard.js"
import { DUPLICATE_KEY, INVALID_PARAMETER, LIST_ERRORS, VERSION_CONFLICT } from "./adminRefusals.js"

/** Catalog administration; every change is audited with the admin's identity by the use-case. */

const one = (product: Parameters<typeof productView>[0]) => ({ product: productView(product) })

/** The bodies as the document states them: a name is a non-blank text (the use-cases decode these). */
const Name = ProductName.annotations(nonBlankText(200))
const CreateProductBody = Schema.Struct({ ...CreateProductInput.fields, name: Name })
const UpdateProductBody = Schema.Struct({
  ...UpdateProductInput.fields,
  name: Schema.optional(Name),
  expectedVersion: Schema.optional(UpdateProductInput.fields.expectedVersion.from.annotations(safeCount)),
})

const path = "/api/v1/admin/products"
const tags = ["admin: catalog"]
const params = Schema.Struct({ id: ProductId })
const NOT_FOUND = { description: "No product with this id", codes: ["PRODUCT_NOT_FOUND"] }

export const listProductsRoute = defineRoute({
  method: "get",
  path,
  operationId: "adminListProducts",
  summary: "List products by sku, a page at a time",
  tags,
  auth: "admin",
  request: { query: PageQuery },
  responses: {
    200: { description: "One page; pass `nextCursor` back as `cursor` for the next", schema: ProductPage },
  },
  errors: LIST_ERRORS,
  handler: (ctx, deps) => {
    const page = Effect.flatMap(decodeInput(PageQuery)(ctx.query), listProductsPage)
    return respond(ctx, deps.runtime, page, 200, (found) => pageAnswer("products", found, productView))
  },
})

export const createProductRoute = defineRoute({
  method: "post",
  path,
  operationId: "adminCreateProduct",
  summary: "Add a product to the catalog",
  tags,
  auth: "admin",
  idempotent: true,
  request: { body: { kind: "json", schema: CreateProductBody } },
  responses: {
    201: {
      description: "The product",
      schema: ProductAnswer,
      headers: { Location: { description: "The product's URL" } },
    },
  },
  errors: { 409: { ...DUPLICATE_KEY, description: "A product with this sku already exists" } },
  handler: (ctx, deps, { body }) =>
    respond(ctx, deps.runtime, createProduct(body, actorOf(ctx.state)), 201, (product) => {
      ctx.set("Location", `${path}/${product.id}`)
      return one(product)
    }),
})

export const getProductRoute = defineRoute({
  method: "get",
  path: `${path}/{id}`,
  operationId: "adminGetProduct",
  summary: "Read a product with its stock counters",
  tags,
  auth: "admin",
  request: { params },
  responses: { 200: { description: "The product", schema: ProductAnswer } },
  errors: { 400: INVALID_PARAMETER, 404: NOT_FOUND },
  handler: (ctx, deps) => respond(ctx, deps.runtime, getProduct(ctx.params.id ?? ""), 200, one),
})

export const updateProductRoute = defineRoute({
  method: "patch",
  path: `${path}/{id}`,
  operationId: "adminUpdateProduct",
  summary: "Change a product's name, price or active flag",
  description: "Stock is not an input here: units move only by reservations, orders and `/stock`.",
  tags,
  auth: "admin",
  idempotent: true,
  request: { params, body: { kind: "json", schema: UpdateProductBody } },
  responses: { 200: { description: "The product after the change", schema: ProductAnswer } },
  errors: { 404: NOT_FOUND, 409: VERSION_CONFLICT },
  handler: (ctx, deps, { body }) =>
    respond(ctx, deps.runtime, updateProduct(ctx.params.id ?? "", body, actorOf(ctx.state)), 200, one),
})

// Products are archived, never deleted: orders and ledger entries point at them.
export const archiveProductRoute = defineRoute({
  method: "delete",
  path: `${path}/{id}`,
  operationId: "adminArchiveProduct",
  summary: "Archive a product (`active: false`); orders keep referring to it",
  tags,
  auth: "admin",
  idempotent: true,
  request: { params },
  responses: { 200: { description: "The archived product", schema: ProductAnswer } },
  errors: { 400: INVALID_PARAMETER, 404: NOT_FOUND, 409: VERSION_CONFLICT },
  handler: (ctx, deps) =>
    respond(ctx, deps.runtime, archiveProduct(ctx.params.id ?? "", actorOf(ctx.state)), 200, one),
})

export const addProductStockRoute = defineRoute({
  method: "post",
  path: `${path}/{id}/stock`,
  operationId: "adminAddProductStock",
  summary: "Add units received into the warehouse to a product's available stock",
  tags,
  auth: "admin",
  idempotent: true,
  request: { params, body: { kind: "json", schema: AddStockInput } },
  responses: { 200: { description: "The product with its new stock", schema: ProductAnswer } },
  errors: {
    404: NOT_FOUND,
    422: inputRefused(
      `The product would hold more than ${MAX_STOCK_UNITS} units in all (available + reserved + committed)`,
    ),
  },
  handler: (ctx, deps, { body }) =>
    respond(ctx, deps.runtime, addProductStock(ctx.params.id ?? "", body, actorOf(ctx.state)), 200, one),
})

export const adminProductRoutes = [
  listProductsRoute,
  createProductRoute,
  getProductRoute,
  updateProductRoute,
  archiveProductRoute,
  addProductStockRoute,
]
