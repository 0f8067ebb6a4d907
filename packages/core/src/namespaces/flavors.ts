import { FLAVORS } from "../clusters/catalog.ts";

export const flavorByName = (name: string) => FLAVORS.find((f) => f.name === name);
