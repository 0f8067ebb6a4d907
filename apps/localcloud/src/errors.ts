export class CloudError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "CloudError";
  }
}

export const notFound = (kind: string, id: string) => new CloudError(404, "NotFound", `${kind} ${id} not found`);
