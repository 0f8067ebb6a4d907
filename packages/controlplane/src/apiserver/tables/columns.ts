// Column helpers shared by the table printers.
import { age } from "./format.ts";

type Json = any;
export interface Column {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
  description?: string;
}
export interface Printer {
  columns: Column[];
  row(o: Json): unknown[];
}

export const NAME: Column = {
  name: "Name",
  type: "string",
  format: "name",
  description: "Name must be unique within a namespace.",
};
export const AGE: Column = {
  name: "Age",
  type: "string",
  description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
};
export const col = (name: string, priority = 0, type = "string"): Column => ({ name, type, priority, description: "" });
export const n = (o: Json) => o.metadata?.name;
export const a = (o: Json) => age(o.metadata?.creationTimestamp);
